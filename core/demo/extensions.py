"""Demo data from the other apps, added to the demo district once each.

An app registers a builder in its AppConfig.ready():

    from core.demo.extensions import register

    @register("admission")
    def build(*, district, builder, seed, out): ...

Each builder runs once per demo district (recorded as a JobRun in the same transaction), also
when the district already existed before the app was installed, so upgrading a demo adds the
new module's data without rebuilding. Builders write through the apps' services, as the
demo builder account (`builder`), and must be deterministic given `seed`.
"""

from collections.abc import Callable

from django.db import transaction

_builders: list[tuple[str, Callable]] = []


def register(name: str):
    def decorate(builder: Callable) -> Callable:
        if name not in {existing for existing, _fn in _builders}:
            _builders.append((name, builder))
        return builder

    return decorate


def run_all(*, district, builder, seed: int, out) -> list[str]:
    """Run every registered builder not yet run for this district; the names that ran."""
    from core import jobs

    ran = []
    for name, build in _builders:
        with transaction.atomic():
            if not jobs.claim(job=f"demo.{name}", period=district.code):
                continue
            build(district=district, builder=builder, seed=seed, out=out)
        ran.append(name)
        out(f"演示数据已添加：{name}")
    return ran
