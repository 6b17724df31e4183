"""Every app of the project is in the whole-suite run: pytest collects only `testpaths`, and an
app added to INSTALLED_APPS but not there has its tests silently skipped by `./linli.sh test`
(workforce's and notify's were, for a while)."""

import tomllib
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parent.parent


def test_every_project_app_with_tests_is_collected():
    testpaths = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"][
            "testpaths"
        ]
    )
    ours = {
        Path(app.path).name
        for app in apps.get_app_configs()
        if Path(app.path).parent == ROOT and (Path(app.path) / "tests").is_dir()
    }
    assert ours, "no project app found: the check would pass vacuously"
    assert ours - testpaths == set()
