"""The demo district's deliberation (filled in below)."""


def build(*, district, builder, seed, out):
    return None
