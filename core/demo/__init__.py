"""A deterministic demo district modelled on Nanjing's 秦淮区 (320104).

`build_demo(scale, seed, stdout)` builds it (once: a second call does nothing) and
`demo_logins()` lists the demo accounts. Pure generators live in `core.demo.generate`.
"""

from core.demo.build import (
    DEFAULT_SEED,
    DEMO_PASSWORD,
    SCALES,
    build_demo,
    demo_district,
    demo_logins,
    print_logins,
)

__all__ = [
    "DEFAULT_SEED",
    "DEMO_PASSWORD",
    "SCALES",
    "build_demo",
    "demo_district",
    "demo_logins",
    "print_logins",
]
