"""The deliberation JSON API: meetings, proposals and decisions the caller may see, and one
operation per step of each table (``POST /api/deliberation/<collection>/{id}/steps/{name}``)."""

import datetime
from typing import Annotated

from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from pydantic import AfterValidator, Field

from core.api import AUTH, errors
from core.api_schemas import Input, _no_nul
from core.steps import add_step_operations
from deliberation import selectors, steps

router = Router(auth=AUTH, tags=["deliberation"])


class DeliberationMeetingOut(Schema):
    id: int
    community_id: int
    kind: str
    title: str
    state: str
    starts_at: datetime.datetime
    noticed_at: datetime.datetime | None
    published_at: datetime.datetime | None


class DeliberationProposalOut(Schema):
    id: int
    community_id: int
    title: str
    state: str
    supports_count: int
    threshold: int


class DeliberationDecisionOut(Schema):
    id: int
    meeting_id: int
    title: str
    status: str
    progress: int
    votes_for: int
    votes_against: int
    votes_abstain: int
    present: int
    base: int
    published_at: datetime.datetime | None


def _out(schema, obj) -> dict:
    return {f: getattr(obj, f) for f in schema.model_fields}


@router.get(
    "/meetings", response={200: list[DeliberationMeetingOut], **errors()}, summary="Meetings"
)
def meeting_list(request):
    return [
        _out(DeliberationMeetingOut, m)
        for m in selectors.meetings_visible_to(request.auth).order_by("-pk")[:500]
    ]


@router.get(
    "/proposals", response={200: list[DeliberationProposalOut], **errors()}, summary="Proposals"
)
def proposal_list(request):
    return [
        _out(DeliberationProposalOut, p)
        for p in selectors.proposals_visible_to(request.auth).order_by("-pk")[:500]
    ]


@router.get(
    "/decisions", response={200: list[DeliberationDecisionOut], **errors()}, summary="Decisions"
)
def decision_list(request):
    return [
        _out(DeliberationDecisionOut, d)
        for d in selectors.decisions_visible_to(request.auth).order_by("-pk")[:500]
    ]


def _body_field(spec):
    label = str(spec.label)
    if spec.kind == steps.ATTENDANCE:
        return list[int], Field(default_factory=list, max_length=2000, description=label)
    if spec.kind in (steps.NUMBER, steps.PERSON, steps.AGENDA, steps.MEETING):
        return (int, Field(..., description=label)) if spec.required else (
            int | None, Field(None, description=label))  # fmt: skip
    if spec.kind == steps.WHEN:
        return datetime.datetime, Field(..., description=label)
    text = Annotated[str, AfterValidator(_no_nul)]
    return text, Field(... if spec.required else "", max_length=spec.max_length, description=label)


def _taker(queryset_of, schema, keyword):
    def take(user, pk: int, step, raw: dict) -> dict:
        obj = get_object_or_404(queryset_of(user), pk=pk)
        step.run(actor=user, data=steps.clean_input(step, raw), **{keyword: obj})
        return _out(schema, get_object_or_404(queryset_of(user), pk=pk))

    return take


for table, collection, schema, keyword, name in (
    (steps.MEETING_STEPS, "/meetings", DeliberationMeetingOut, "meeting", "Meeting"),
    (steps.PROPOSAL_STEPS, "/proposals", DeliberationProposalOut, "proposal", "Proposal"),
    (steps.DECISION_STEPS, "/decisions", DeliberationDecisionOut, "decision", "Decision"),
):
    queryset_of = {
        "meeting": selectors.meetings_visible_to,
        "proposal": selectors.proposals_visible_to,
        "decision": selectors.decisions_visible_to,
    }[keyword]
    add_step_operations(
        router, table, collection=collection, id_name=f"{keyword}_id", out=schema,
        body_field=_body_field, take=_taker(queryset_of, schema, keyword),
        prefix=f"deliberation_{keyword}", model_prefix=f"Deliberation{name}Step", model_base=Input,
    )  # fmt: skip
