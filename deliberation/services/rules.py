"""The district's rule tables (notice periods, quorums, passing shares, the support threshold)
and the community's residents' representatives."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core import audit, clock
from core.clock import one_write
from core.models import Place
from core.validation import clean_int, clean_text
from core.validation import require_perm as _require
from deliberation import defaults
from deliberation.models import MeetingKind, MeetingRule, Representative, SupportRule
from deliberation.services.common import (
    community_place,
    convener,
    district_place,
    lives_in_community,
)

NOT_SETTER = _("只有本区的系统管理员或区减负办可以设定议事规则。")


def _setter(actor, district) -> None:
    _require(actor, "deliberation.set_rules", district, NOT_SETTER)


def _date(value, label) -> datetime.date:
    if not isinstance(value, datetime.date):
        raise ValidationError(_("请填写%(label)s。"), params={"label": label}, code="date")
    return value


def _share(value, label) -> tuple[int, int, bool]:
    try:
        num, den, inclusive = value
        num, den = int(num), int(den)
    except (TypeError, ValueError):
        raise ValidationError(_("%(label)s应为分数。"), params={"label": label}) from None
    if not 0 < num <= den <= 100:
        raise ValidationError(
            _("%(label)s的分子应大于0且不大于分母（分母不超过100）。"), params={"label": label},
            code="share",
        )  # fmt: skip
    return num, den, bool(inclusive)


@one_write
def rules_seed(*, actor, district: Place) -> int:
    """The default rules (with their source) for a district that has none."""
    district = district_place(district)
    _setter(actor, district)
    made = 0
    if not MeetingRule.objects.filter(district=district).exists():
        for row in defaults.MEETING_RULES:
            (qn, qd, qi), (pn, pd, pi) = row["quorum"], row["passing"]
            MeetingRule.objects.create(
                district=district, kind=row["kind"], notice_days=row["notice_days"],
                quorum_num=qn, quorum_den=qd, quorum_inclusive=qi, pass_num=pn, pass_den=pd,
                pass_inclusive=pi, source=str(row["source"]), effective_from=defaults.START,
                created_by=actor,
            )  # fmt: skip
            made += 1
    if not SupportRule.objects.filter(district=district).exists():
        SupportRule.objects.create(district=district, supports=defaults.SUPPORTS, created_by=actor,
                                   source=str(defaults.LOCAL), effective_from=defaults.START)  # fmt: skip
        made += 1
    if made:
        audit.record(actor=actor, action="deliberation.rules_seed", obj=district,
                     changes={"rules": made})  # fmt: skip
    return made


@one_write
def meeting_rule_create(
    *, actor, district: Place, kind: str, notice_days: int, quorum, passing, source: str,
    effective_from: datetime.date,
) -> MeetingRule:  # fmt: skip
    """A new rule for one kind of meeting from a date (earlier ones stay for meetings under them)."""
    district = district_place(district)
    _setter(actor, district)
    if kind not in MeetingKind.values:
        raise ValidationError(_("请选择会议类型。"), code="kind")
    days = clean_int(notice_days, _("提前公告天数"), 0, 60)
    qn, qd, qi = _share(quorum, _("到会比例"))
    pn, pd, pi = _share(passing, _("通过比例"))
    source = clean_text(source, _("政策依据"), limit=300)
    effective_from = _date(effective_from, _("生效日期"))
    if MeetingRule.objects.filter(
        district=district, kind=kind, effective_from=effective_from
    ).exists():
        raise ValidationError(_("这类会议在%(date)s已有一条规则；请换一个生效日期。"),
                              params={"date": effective_from.isoformat()}, code="same_start")  # fmt: skip
    rule = MeetingRule.objects.create(
        district=district, kind=kind, notice_days=days, quorum_num=qn, quorum_den=qd,
        quorum_inclusive=qi, pass_num=pn, pass_den=pd, pass_inclusive=pi, source=source,
        effective_from=effective_from, created_by=actor,
    )  # fmt: skip
    audit.record(actor=actor, action="deliberation.meeting_rule_create", obj=rule, place=district,
                 changes={"kind": kind, "notice_days": days, "quorum": [qn, qd, qi],
                          "passing": [pn, pd, pi], "effective_from": effective_from.isoformat()})  # fmt: skip
    return rule


@one_write
def support_rule_create(
    *, actor, district: Place, supports: int, source: str, effective_from: datetime.date
) -> SupportRule:
    district = district_place(district)
    _setter(actor, district)
    supports = clean_int(supports, _("所需支持人数"), 1, 10000)
    source = clean_text(source, _("政策依据"), limit=300)
    effective_from = _date(effective_from, _("生效日期"))
    if SupportRule.objects.filter(district=district, effective_from=effective_from).exists():
        raise ValidationError(_("%(date)s已有一条支持人数规则；请换一个生效日期。"),
                              params={"date": effective_from.isoformat()}, code="same_start")  # fmt: skip
    rule = SupportRule.objects.create(district=district, supports=supports, source=source,
                                      effective_from=effective_from, created_by=actor)  # fmt: skip
    audit.record(actor=actor, action="deliberation.support_rule_create", obj=rule, place=district,
                 changes={"supports": supports, "effective_from": effective_from.isoformat()})  # fmt: skip
    return rule


@one_write
def representative_add(
    *, actor, community: Place, person, elected_on: datetime.date, term_ends_on: datetime.date
) -> Representative:
    """A 居民代表 of the community, who must live in it, for a term."""
    community = community_place(community)
    convener(actor, community)
    if person is None or not lives_in_community(person, community):
        raise ValidationError(_("居民代表须是本社区的居民。"), code="not_resident")
    elected_on = _date(elected_on, _("推选日期"))
    term_ends_on = _date(term_ends_on, _("任期届满"))
    if elected_on > clock.today():
        raise ValidationError(_("推选日期不能晚于今天。"), code="future")
    if term_ends_on <= elected_on:
        raise ValidationError(_("任期届满日期应晚于推选日期。"), code="term")
    if Representative.objects.filter(community=community, person=person, ended_at=None).exists():
        raise ValidationError(_("%(name)s已经是本社区的居民代表。"), params={"name": person.name},
                              code="duplicate")  # fmt: skip
    rep = Representative.objects.create(
        district_id=community.district_id, community=community, person=person,
        elected_on=elected_on, term_ends_on=term_ends_on, created_by=actor,
    )  # fmt: skip
    audit.record(actor=actor, action="deliberation.representative_add", obj=rep,
                 changes={"person": person.pk, "term_ends_on": term_ends_on.isoformat()})  # fmt: skip
    return rep


@one_write
def representative_end(*, actor, representative: Representative) -> Representative:
    convener(actor, representative)
    if representative.ended_at is not None:
        raise ValidationError(_("该居民代表已经离任。"), code="bad_state")
    representative.ended_at = clock.now()
    representative.save(update_fields=["ended_at"])
    audit.record(actor=actor, action="deliberation.representative_end", obj=representative)
    return representative


def representatives_in_office(community_id: int, day: datetime.date):
    return Representative.objects.filter(
        community_id=community_id, ended_at=None, elected_on__lte=day, term_ends_on__gte=day
    )
