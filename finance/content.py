"""What a board shows, generated from Linli's data for its period (stored as numbers and codes,
so the board reads in the reader's language and never changes after review).

- 财务: income by kind and each income; approved spending by category against the year's budget
  and each payment (whether it has a receipt); month by month, so no month is left out.
- 居务: tasks that reached the community and work it refused (workload), admission decisions that
  named it (admission), the requests of its residents and the 三率 (services).
- 党务: what the community writes (Linli holds no party records).
"""

import datetime

from django.db.models import Sum
from django.utils import timezone

from finance import periods
from finance.models import Board, Budget, Income, Spending


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _finance(community, start: datetime.date, end: datetime.date) -> dict:
    incomes = Income.objects.filter(community=community, received_on__gte=start,
                                    received_on__lte=end).order_by("received_on", "id")  # fmt: skip
    spent = Spending.objects.filter(
        community=community, spent_on__gte=start, spent_on__lte=end,
        status=Spending.Status.APPROVED,
    ).order_by("spent_on", "id")  # fmt: skip
    months = {m.isoformat(): {"income_fen": 0, "spending_fen": 0}
              for m in periods.months_between(start, end + datetime.timedelta(days=1))}  # fmt: skip
    for row in incomes:
        months[row.received_on.replace(day=1).isoformat()]["income_fen"] += row.amount_fen
    for row in spent:
        months[row.spent_on.replace(day=1).isoformat()]["spending_fen"] += row.amount_fen
    by_category: dict[str, int] = {}
    for row in spent:
        by_category[row.category] = by_category.get(row.category, 0) + row.amount_fen
    year_spent = dict(
        Spending.objects.filter(community=community, spent_on__year=start.year,
                                spent_on__lte=end, status=Spending.Status.APPROVED)
        .values_list("category").annotate(s=Sum("amount_fen")).order_by()
    )  # fmt: skip
    budgets = dict(
        Budget.objects.filter(community=community, year=start.year).values_list(
            "category", "amount_fen"
        )
    )
    categories = sorted(set(by_category) | set(budgets))
    return {
        "months": [{"month": m, **v} for m, v in months.items()],
        "income_total_fen": sum(r.amount_fen for r in incomes),
        "spending_total_fen": sum(r.amount_fen for r in spent),
        "incomes": [
            {
                "day": r.received_on.isoformat(),
                "kind": r.kind,
                "payer": r.payer,
                "note": r.note,
                "amount_fen": r.amount_fen,
            }
            for r in incomes
        ],  # fmt: skip
        "spendings": [
            {
                "day": r.spent_on.isoformat(),
                "category": r.category,
                "payee": r.payee,
                "purpose": r.purpose,
                "amount_fen": r.amount_fen,
                "receipt": bool(r.receipt),
                "approvals": r.approvals_needed,
            }
            for r in spent
        ],  # fmt: skip
        "categories": [
            {
                "category": c,
                "period_fen": by_category.get(c, 0),
                "budget_fen": budgets.get(c, 0),
                "year_fen": year_spent.get(c, 0),
            }
            for c in categories
        ],  # fmt: skip
    }


def _affairs(community, start: datetime.date, end: datetime.date) -> dict:
    from admission import selectors as admission
    from services import selectors as requests
    from workload import selectors as workload

    work = workload.burden_by_month([community.pk], start, end.replace(day=1))
    after = end + datetime.timedelta(days=1)
    decisions = admission.decisions_reaching([community.pk], _day_start(start), _day_start(after))
    rates = requests.rates_of_place(community, [(start, after)])[0]
    return {
        "tasks": sum(row["tasks"] or 0 for row in work.values()),
        "refused_unadmitted": sum(row["refused_unadmitted"] or 0 for row in work.values()),
        "inspections": sum(row["inspections"] or 0 for row in work.values()),
        "meetings": sum(row["meetings"] or 0 for row in work.values()),
        "admitted": decisions["admitted"],
        "refused": decisions["refused"],
        "requests": rates["total"],
        "response_rate": rates["response_rate"],
        "resolution_rate": rates["resolution_rate"],
        "satisfaction_rate": rates["satisfaction_rate"],
    }


def generate(disclosure) -> dict:
    start, end = disclosure.period_start, disclosure.period_end
    if disclosure.board == Board.FINANCE:
        return _finance(disclosure.community, start, end)
    if disclosure.board == Board.AFFAIRS:
        return _affairs(disclosure.community, start, end)
    return {}
