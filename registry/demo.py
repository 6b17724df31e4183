"""Demo data of the registry (filled in below once the pages exist)."""


def build(*, district, builder, seed, out):
    from registry import services

    services.ensure_fields(district)
