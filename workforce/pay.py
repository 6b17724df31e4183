"""Reads of pay standards: the scale in force, the floor from the previous year's average
wage, and each worker in post against it (for the page, the roster and the worker's own page)."""

import datetime
from dataclasses import dataclass

from core.models import Place
from core.money import yuan
from workforce import workers
from workforce.models import AverageWage, PayScale


def scale_in_force(district_id: int, day: datetime.date) -> PayScale | None:
    return PayScale.objects.in_force(day, district_id=district_id)


def wage_for_floor(district_id: int, day: datetime.date) -> AverageWage | None:
    """The average wage the floor of ``day``'s year is computed from: the previous year's."""
    return AverageWage.objects.filter(district_id=district_id, year=day.year - 1).first()


@dataclass
class PayRow:
    row: workers.WorkerRow
    monthly_fen: int | None
    floor_monthly_fen: int | None

    @property
    def below_floor(self) -> bool:
        return (
            self.monthly_fen is not None
            and self.floor_monthly_fen is not None
            and self.monthly_fen < self.floor_monthly_fen
        )

    @property
    def monthly_yuan(self) -> str:
        return yuan(self.monthly_fen)

    @property
    def floor_yuan(self) -> str:
        return yuan(self.floor_monthly_fen)

    def welfare(self, scale) -> list[tuple[str, int]]:
        """(item, fen a month) for each welfare item of the scale."""
        if self.monthly_fen is None:
            return []
        return [
            (w["name"], self.monthly_fen * w["value"] // 10_000 if w["kind"] == "percent" else w["value"])
            for w in scale.welfare
        ]  # fmt: skip


def floor_monthly(scale, wage, post: str) -> int | None:
    """share‰ × the annual average wage ÷ 12, rounded up to the fen (the floor is a minimum)."""
    if scale is None or wage is None or post not in scale.floor_shares:
        return None
    return -(-wage.annual_fen * scale.floor_shares[post] // 12_000)


def pay_rows(user, district: Place, day: datetime.date):
    """(scale, wage, rows): every worker in post the user may see in the district."""
    scale = scale_in_force(district.pk, day)
    wage = wage_for_floor(district.pk, day)
    qs = (
        workers.workers_visible_to(user)
        .filter(district=district)
        .filter(workers.in_post(day))
        .order_by("community__code", "id")
    )
    return scale, wage, [_pay(r, scale, wage) for r in workers.rows_for(qs, day)]


def _pay(row, scale, wage) -> PayRow:
    monthly = None
    if scale is not None and row.grade is not None:
        monthly = scale.amounts.get(str(row.grade))
    post = row.posting.post if row.posting else None
    return PayRow(row, monthly, floor_monthly(scale, wage, post) if post else None)


def own_pay(worker, day: datetime.date) -> tuple[PayScale | None, PayRow | None]:
    row = workers.rows_for([worker], day)[0]
    scale = scale_in_force(worker.district_id, day)
    return scale, _pay(row, scale, wage_for_floor(worker.district_id, day))
