"""Writes of 居务公开: a board generated from Linli's data for one period, submitted, reviewed by
a member of the 居务监督委员会, then published (or returned with the reason)."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core import audit, clock
from core.clock import one_write
from core.models import Place
from core.validation import clean_text
from core.validation import require_perm as _require
from finance import periods
from finance.content import generate
from finance.models import Board, Disclosure, Spending
from finance.services.common import community_of, disclosure_rule

S = Disclosure.Status


def _check_period(community: Place, board: str, start) -> tuple[datetime.date, str]:
    if board not in Board.values:
        raise ValidationError(_("请选择公开栏。"), code="board")
    if not isinstance(start, datetime.date):
        raise ValidationError(_("请填写公开的起始月。"), code="period")
    rule = disclosure_rule(community.district_id, board, start)
    if rule is None:
        raise ValidationError(
            _("本区尚未设定%(board)s的公开周期，请区减负办先载入公开规则。"),
            params={"board": Board(board).label}, code="no_rule",
        )  # fmt: skip
    if not periods.is_period_start(start, rule.cadence):
        raise ValidationError(
            _("%(board)s按规则%(cadence)s公开（%(source)s），起始月须是一个公开期的第一天。"),
            params={"board": Board(board).label, "cadence": rule.get_cadence_display(),
                    "source": rule.source}, code="period",
        )  # fmt: skip
    end = periods.period_end(start, rule.cadence)
    if end >= clock.today():
        raise ValidationError(
            _("公开期截至%(end)s，尚未结束，期满后再生成。"),
            params={"end": end.isoformat()}, code="period_open",
        )  # fmt: skip
    _no_gap(community, board, start)
    return end, rule.cadence


def _no_gap(community: Place, board: str, start: datetime.date) -> None:
    """A board must not skip months: every month from its first disclosure to this one is
    covered by an earlier disclosure."""
    earlier = list(
        Disclosure.objects.filter(community=community, board=board, period_start__lt=start)
        .values_list("period_start", "period_end")
    )  # fmt: skip
    if not earlier:
        return
    covered = set()
    for first, end in earlier:
        covered.update(periods.months_between(first, end + datetime.timedelta(days=1)))
    missing = [m for m in periods.months_between(min(f for f, _e in earlier), start)
               if m not in covered]  # fmt: skip
    if missing:
        raise ValidationError(
            _("%(board)s缺少%(months)s的公开，须按月连续公开，请先补齐缺少的月份。"),
            params={"board": Board(board).label,
                    "months": "、".join(f"{m.year}年{m.month}月" for m in missing)},
            code="missing_months",
        )  # fmt: skip


def _pending_spending(community: Place, start, end) -> None:
    waiting = Spending.objects.filter(
        community=community, spent_on__gte=start, spent_on__lte=end,
        status=Spending.Status.PENDING,
    ).count()  # fmt: skip
    if waiting:
        raise ValidationError(
            _("本期还有%(n)d笔支出待街道审批，审批完毕后才能生成财务公开。"),
            params={"n": waiting}, code="pending_spending",
        )  # fmt: skip


def _fill(disclosure: Disclosure, note: str) -> None:
    disclosure.note = clean_text(note, _("补充说明"), required=False, limit=5000)
    if disclosure.board == Board.PARTY and not disclosure.note:
        raise ValidationError(
            _("党务公开的内容由社区填写，请在补充说明中写明本期公开事项。"), code="note"
        )
    if disclosure.board == Board.FINANCE:
        _pending_spending(disclosure.community, disclosure.period_start, disclosure.period_end)
    disclosure.content = generate(disclosure)


@one_write
def disclosure_prepare(
    *, actor, community: Place, board: str, period_start: datetime.date, note: str = ""
) -> Disclosure:
    """A draft board for one period, generated from the community's data."""
    community = community_of(community)
    _require(actor, "finance.prepare_disclosure", community, _("公开栏由社区工作者编制。"))
    end, _cadence = _check_period(community, board, period_start)
    if Disclosure.objects.filter(community=community, board=board,
                                 period_start=period_start).exists():  # fmt: skip
        raise ValidationError(_("这一期已经编制过，请在原稿上修改。"), code="exists")
    disclosure = Disclosure(
        district_id=community.district_id, community=community, board=board,
        period_start=period_start, period_end=end, prepared_by=actor,
    )  # fmt: skip
    _fill(disclosure, note)
    disclosure.save()
    audit.record(actor=actor, action="finance.disclosure_prepare", obj=disclosure,
                 changes={"board": board, "period_start": period_start.isoformat()})  # fmt: skip
    return disclosure


def _locked(disclosure: Disclosure) -> Disclosure:
    return Disclosure.objects.select_for_update().select_related("community").get(pk=disclosure.pk)


@one_write
def disclosure_refresh(*, actor, disclosure: Disclosure, note: str = "") -> Disclosure:
    """Generate a draft (or a returned board) again from the data as it is now."""
    disclosure = _locked(disclosure)
    _require(actor, "finance.prepare_disclosure", disclosure.community, _("公开栏由社区工作者编制。"))  # fmt: skip
    if disclosure.status not in (S.DRAFT, S.RETURNED):
        raise ValidationError(_("已提交或已公开的公开栏不能修改。"), code="state")
    _fill(disclosure, note)
    disclosure.status = S.DRAFT
    disclosure.save()
    audit.record(actor=actor, action="finance.disclosure_refresh", obj=disclosure, changes={})
    return disclosure


@one_write
def disclosure_submit(*, actor, disclosure: Disclosure) -> Disclosure:
    disclosure = _locked(disclosure)
    _require(actor, "finance.prepare_disclosure", disclosure.community, _("公开栏由社区工作者编制。"))  # fmt: skip
    if disclosure.status != S.DRAFT:
        raise ValidationError(_("只有草稿可以提交审核。"), code="state")
    disclosure.status, disclosure.submitted_at = S.SUBMITTED, clock.now()
    disclosure.save(update_fields=["status", "submitted_at"])
    audit.record(actor=actor, action="finance.disclosure_submit", obj=disclosure, changes={})
    return disclosure


def _for_review(actor, disclosure: Disclosure) -> Disclosure:
    disclosure = _locked(disclosure)
    _require(actor, "finance.review_disclosure", disclosure.community,
             _("公开栏由居务监督委员会成员审核。"))  # fmt: skip
    if disclosure.status != S.SUBMITTED:
        raise ValidationError(_("只有待审核的公开栏可以审核。"), code="state")
    return disclosure


@one_write
def disclosure_publish(*, actor, disclosure: Disclosure, note: str = "") -> Disclosure:
    """The supervision committee member approves: residents can read the board from now on."""
    disclosure = _for_review(actor, disclosure)
    disclosure.review_note = clean_text(note, _("审核意见"), required=False, limit=300)
    disclosure.status, disclosure.reviewed_by = S.PUBLISHED, actor
    disclosure.published_at = clock.now()
    disclosure.save(update_fields=["status", "reviewed_by", "review_note", "published_at"])
    audit.record(actor=actor, action="finance.disclosure_publish", obj=disclosure,
                 changes={"note": disclosure.review_note})  # fmt: skip
    return disclosure


@one_write
def disclosure_return(*, actor, disclosure: Disclosure, note: str) -> Disclosure:
    disclosure = _for_review(actor, disclosure)
    disclosure.review_note = clean_text(note, _("退回理由"), limit=300)
    disclosure.status, disclosure.reviewed_by = S.RETURNED, actor
    disclosure.save(update_fields=["status", "reviewed_by", "review_note"])
    audit.record(actor=actor, action="finance.disclosure_return", obj=disclosure,
                 changes={"note": disclosure.review_note})  # fmt: skip
    return disclosure
