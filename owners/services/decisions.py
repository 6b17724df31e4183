"""Owners' decisions: draft, freeze the owners' roll, open, proxies and ballots, close with the
tally, publish. Each step refuses in words when its state or its input is wrong (nothing written).
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from core import audit, clock
from core.clock import one_write
from core.validation import clean_name, clean_text
from core.validation import require_perm as _require
from owners import tally
from owners.models import (
    Ballot,
    Choice,
    Compound,
    Decision,
    DecisionRule,
    Matter,
    Part,
    Proxy,
    RollEntry,
)
from owners.services.common import locked_decision, require_state

S = Decision.State
DEVELOPER = "developer"


def _run(actor, decision_or_compound) -> None:
    _require(actor, "owners.run_decision", decision_or_compound,
             _("只有本社区工作人员或本小区业主委员会成员可以组织表决。"))  # fmt: skip


@one_write
def decision_create(
    *, actor, compound: Compound, matter: str, title: str, text: str, kind: str = "vote"
) -> Decision:
    """Draft a vote or consultation among the compound's owners."""
    _run(actor, compound)
    if matter not in Matter.values:
        raise ValidationError(_("请选择表决事项。"), code="matter")
    if kind not in Decision.Kind.values:
        raise ValidationError(_("请选择表决还是征询。"), code="kind")
    decision = Decision.objects.create(
        district_id=compound.district_id, community_id=compound.community_id, compound=compound,
        kind=kind, matter=matter, title=clean_name(title, _("标题")),
        text=clean_text(text, _("表决内容"), limit=4000), created_by=actor,
    )  # fmt: skip
    audit.record(actor=actor, action="owners.decision_create", obj=decision,
                 changes={"matter": matter, "kind": kind, "title": decision.title})  # fmt: skip
    return decision


def owner_key(part: Part) -> str:
    """One owner by number (法释〔2009〕7号 art. 9): the person, whatever the number of parts they
    hold; the developer's unsold or undelivered parts together."""
    return DEVELOPER if part.developer_held else f"p{part.owner_id}"


@one_write
def roll_freeze(*, actor, decision: Decision) -> int:
    """Copy the compound's parts onto the decision's owners' roll (业主名册), which no later change
    of the parts alters. Returns the number of parts."""
    decision = locked_decision(decision)
    _run(actor, decision)
    require_state(decision, S.DRAFT, message=_("业主名册已冻结。"))
    parts = list(Part.objects.filter(compound=decision.compound).select_related("house"))
    if not parts:
        raise ValidationError(_("本小区还没有登记专有部分和业主，不能冻结名册。"), code="empty")
    RollEntry.objects.bulk_create(
        RollEntry(decision=decision, part=p, area=p.area, owner_id=p.owner_id,
                  owner_key=owner_key(p), label=p.house.address)
        for p in parts
    )  # fmt: skip
    decision.state, decision.frozen_at = S.FROZEN, clock.now()
    decision.save(update_fields=["state", "frozen_at"])
    audit.record(actor=actor, action="owners.roll_freeze", obj=decision,
                 changes={"parts": len(parts), "area": sum(p.area for p in parts)})  # fmt: skip
    return len(parts)


def rule_in_force(district_id: int, matter: str, day: datetime.date) -> DecisionRule | None:
    return DecisionRule.objects.in_force(day, district_id=district_id, matter=matter)


@one_write
def decision_open(*, actor, decision: Decision) -> Decision:
    """Open the vote under the thresholds in force today for its matter (copied onto it)."""
    decision = locked_decision(decision)
    _run(actor, decision)
    if decision.state == S.DRAFT:
        raise ValidationError(_("业主名册冻结前不能开始表决。"), code="roll_not_frozen")
    require_state(decision, S.FROZEN, message=_("表决已经开始过。"))
    rule = rule_in_force(decision.district_id, decision.matter, clock.today())
    if rule is None:
        raise ValidationError(
            _("本区还没有“%(m)s”的表决规则，请区里先载入或设定。"),
            params={"m": Matter(decision.matter).label}, code="no_rule",
        )  # fmt: skip
    decision.rule = rule
    decision.thresholds = {
        "turnout": [rule.turnout_num, rule.turnout_den, rule.turnout_inclusive],
        "approval": [rule.approval_num, rule.approval_den, rule.approval_inclusive],
        "source": rule.source,
    }
    decision.state, decision.opened_at = S.OPEN, clock.now()
    decision.save(update_fields=["rule", "thresholds", "state", "opened_at"])
    audit.record(actor=actor, action="owners.decision_open", obj=decision,
                 changes={"rule": rule.pk, **decision.thresholds})  # fmt: skip
    return decision


def _entry_of(decision: Decision, entry: RollEntry | None) -> RollEntry:
    if entry is None or entry.decision_id != decision.pk:
        raise ValidationError(_("该房屋不在本次表决的业主名册上。"), code="entry")
    return entry


@one_write
def proxy_record(
    *, actor, decision: Decision, entry: RollEntry, agent_name: str, document_no: str,
    signed_on: datetime.date,
) -> Proxy:  # fmt: skip
    """Record an owner's written authorisation for an agent to vote for all the owner's parts."""
    decision = locked_decision(decision)
    _run(actor, decision)
    require_state(decision, S.FROZEN, S.OPEN, message=_("只能在名册冻结后、计票前登记委托。"))
    entry = _entry_of(decision, entry)
    if not isinstance(signed_on, datetime.date) or signed_on > clock.today():
        raise ValidationError(_("请填写委托书的签署日期（不晚于今天）。"), code="signed_on")
    if Proxy.objects.filter(decision=decision, owner_key=entry.owner_key).exists():
        raise ValidationError(_("该业主的委托已经登记。"), code="duplicate")
    proxy = Proxy.objects.create(
        decision=decision, owner_key=entry.owner_key, recorded_by=actor, signed_on=signed_on,
        agent_name=clean_name(agent_name, _("受托人"), limit=50),
        document_no=clean_name(document_no, _("委托书编号"), limit=40),
    )  # fmt: skip
    audit.record(actor=actor, action="owners.proxy_record", obj=decision,
                 changes={"part": entry.pk, "document_no": proxy.document_no})  # fmt: skip
    return proxy


def _check_caster(actor, decision: Decision, entry: RollEntry, channel: str) -> Proxy | None:
    if channel == Ballot.Channel.ONLINE:
        if entry.owner is None or entry.owner.account_id != actor.pk:
            raise PermissionDenied(_("业主只能为自己的房屋表决。"))
        return None
    _run(actor, decision)
    if channel == Ballot.Channel.PROXY:
        proxy = Proxy.objects.filter(decision=decision, owner_key=entry.owner_key).first()
        if proxy is None:
            raise ValidationError(
                _("没有该业主的授权委托书记录，不能代理表决；请先登记委托。"), code="no_proxy"
            )  # fmt: skip
        return proxy
    if channel != Ballot.Channel.PAPER:
        raise ValidationError(_("请选择表决方式。"), code="channel")
    return None


@one_write
def ballot_cast(
    *, actor, decision: Decision, entry: RollEntry, choice: str, channel: str
) -> Ballot:
    """One part's vote: online by its owner, or recorded from a paper ballot or a proxy's vote.
    A part votes once; the parts of one owner carry one choice (the owner is counted once)."""
    decision = locked_decision(decision)
    entry = _entry_of(decision, entry)
    proxy = _check_caster(actor, decision, entry, channel)
    require_state(decision, S.OPEN, message=_("表决未开始或已结束。"))
    if choice not in Choice.values:
        raise ValidationError(_("请选择同意、反对或弃权。"), code="choice")
    if Ballot.objects.filter(decision=decision, entry=entry).exists():
        raise ValidationError(_("该房屋已经表决，不能重复投票。"), code="twice")
    other = (
        Ballot.objects.filter(decision=decision, entry__owner_key=entry.owner_key)
        .exclude(choice=choice)
        .exists()
    )
    if other:
        raise ValidationError(
            _("同一业主的各套房屋按一人计，须作同一表决意见。"), code="split_owner"
        )  # fmt: skip
    ballot = Ballot.objects.create(decision=decision, entry=entry, choice=choice,
                                   channel=channel, proxy=proxy, recorded_by=actor)  # fmt: skip
    audit.record(actor=actor, action="owners.ballot_cast", obj=decision,
                 changes={"part": entry.pk, "channel": channel})  # fmt: skip
    return ballot


def _token(decision: Decision, kind: str, value) -> str:
    """A keyed token for a part or an owner in one decision's published data."""
    mac = salted_hmac(f"linli.owners.{kind}", f"{decision.pk}:{value}").hexdigest()
    return ("H" if kind == "part" else "O") + mac[:10]


def _area_text(hundredths: int) -> str:
    return f"{hundredths // 100}.{hundredths % 100:02d}"


def publish_data(decision: Decision) -> dict:
    """The decision's data as anyone may read and recompute it (no names, no houses)."""
    roll = list(decision.roll.all())
    parts = {e.pk: _token(decision, "part", e.pk) for e in roll}
    rows = sorted(
        ({"part": parts[e.pk], "owner": _token(decision, "owner", e.owner_key),
          "area": _area_text(e.area)} for e in roll),
        key=lambda row: row["part"],
    )  # fmt: skip
    ballots = sorted(
        ({"part": parts[b.entry_id], "choice": b.choice, "channel": b.channel}
         for b in decision.ballots.all()),
        key=lambda row: row["part"],
    )  # fmt: skip
    return {
        "decision": decision.pk,
        "compound": decision.compound.name,
        "title": decision.title,
        "matter": decision.matter,
        "kind": decision.kind,
        "rule": decision.thresholds,
        "roll": rows,
        "ballots": ballots,
    }


def my_tokens(decision: Decision, entries) -> dict[int, str]:
    """For an owner's own page: the token of each of their parts in the published data."""
    return {e.pk: _token(decision, "part", e.pk) for e in entries}


@one_write
def decision_close(*, actor, decision: Decision) -> dict:
    """End the vote and count it: both counts, exact fractions, stored with the data."""
    decision = locked_decision(decision)
    _run(actor, decision)
    if decision.state in (S.DRAFT, S.FROZEN):
        raise ValidationError(_("表决还没有开始，不能计票。"), code="not_open")
    require_state(decision, S.OPEN, message=_("已经计票。"))
    data = publish_data(decision)
    result = tally.count(data)
    decision.tally = {"data": data, "result": result, "digest": tally.digest(data)}
    decision.tally_digest = decision.tally["digest"]
    decision.state, decision.closed_at = S.CLOSED, clock.now()
    decision.save(update_fields=["tally", "tally_digest", "state", "closed_at"])
    audit.record(actor=actor, action="owners.decision_close", obj=decision,
                 changes={"digest": decision.tally_digest, "passed": result["passed"]})  # fmt: skip
    return result


@one_write
def decision_publish(*, actor, decision: Decision) -> Decision:
    """Publish the counted result with its data (readable by anyone, masked)."""
    decision = locked_decision(decision)
    _run(actor, decision)
    require_state(decision, S.CLOSED, message=_("计票后才能公布结果。"))
    decision.state, decision.published_at = S.PUBLISHED, clock.now()
    decision.save(update_fields=["state", "published_at"])
    audit.record(actor=actor, action="owners.decision_publish", obj=decision,
                 changes={"digest": decision.tally_digest})  # fmt: skip
    return decision
