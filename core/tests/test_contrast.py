"""Text colours keep 4.5:1 against every background they sit on (issue #21, item 3; WCAG 2.1 AA
1.4.3): blue links and small tags on the tinted cards measured 4.0–4.47:1."""

import re
from pathlib import Path

import pytest

CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "linli.css"
TEXT = ["--accent", "--muted", "--warn", "--ok", "--alert", "--brand", "--ink"]
# The page, cards, and the tinted backgrounds text sits on: the alert and warn cards and tags,
# the plain tag, the request-state tags, the tab bar's sub choice.
BACKGROUNDS = ["#ffffff", "--bg", "--warn-bg", "--alert-bg", "#eef1f4", "#e7f0ff", "#e6f4ea"]
BACKGROUNDS += ["#fbeceb"]


def colours() -> dict[str, str]:
    root = re.search(r":root\s*{(.*?)}", CSS.read_text(encoding="utf-8"), re.S).group(1)
    return dict(re.findall(r"(--[\w-]+):\s*(#[0-9a-fA-F]{6})", root))


def luminance(colour: str) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("text", TEXT)
def test_text_colour_reads_on_every_background(text):
    palette = colours()
    low = {
        background: round(contrast(palette[text], palette.get(background, background)), 2)
        for background in BACKGROUNDS
        if contrast(palette[text], palette.get(background, background)) < 4.5
    }
    assert not low, f"{text} {palette[text]} is below 4.5:1 on {low}"


def test_the_tinted_backgrounds_are_the_stylesheets_own():
    """The backgrounds measured are the ones the stylesheet paints (a new tint is measured too)."""
    css = CSS.read_text(encoding="utf-8")
    for background in BACKGROUNDS[1:]:  # after white
        assert background in colours() or background in css, background
