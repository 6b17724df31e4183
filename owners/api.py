"""The owners router of the JSON API, mounted at /api/owners/: the compounds a user may see,
their decisions, a decision's result (both counts, exact fractions, the data's SHA-256 digest;
names never, areas only as totals) and one operation per step of a decision's table
(owners.steps). Reads are scoped by owners.selectors, as the pages are."""

import datetime

from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import paginate

from core.api import AUTH, Page, errors
from core.api_schemas import Input, PathId
from core.steps import add_step_operations
from owners import selectors, steps
from owners.models import Decision

router = Router(auth=AUTH, tags=["owners"])


class CompoundOut(Schema):
    id: int
    name: str
    community_id: int


class DecisionOut(Schema):
    id: int
    compound_id: int
    kind: str
    matter: str
    title: str
    state: str
    state_label: str
    opened_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    published_at: datetime.datetime | None

    @staticmethod
    def resolve_state_label(obj) -> str:
        return str(obj.get_state_display())


class DecisionResultOut(Schema):
    decision_id: int
    state: str
    thresholds: dict
    result: dict | None
    digest: str


def _decisions(user):
    return Decision.objects.filter(compound__in=selectors.compounds_visible_to(user))


@router.get("/compounds", response={200: list[CompoundOut], **errors(422)})
@paginate(Page)
def compound_list(request):
    """Compounds of the places where the user serves, and those where the user owns a part."""
    return selectors.compounds_visible_to(request.auth).order_by("community_id", "name", "pk")


@router.get(
    "/compounds/{compound_id}/decisions", response={200: list[DecisionOut], **errors(404, 422)}
)
@paginate(Page)
def decision_list(request, compound_id: PathId):
    compound = get_object_or_404(selectors.compounds_visible_to(request.auth), pk=compound_id)
    return selectors.decisions_of(compound)


@router.get("/decisions/{decision_id}", response={200: DecisionOut, **errors(404, 422)})
def decision_detail(request, decision_id: PathId):
    return get_object_or_404(_decisions(request.auth), pk=decision_id)


@router.get(
    "/decisions/{decision_id}/result", response={200: DecisionResultOut, **errors(404, 422)}
)
def decision_result(request, decision_id: PathId):
    """The counted result once published (its sums to recompute it: /owners/results/<id>.json
    on the site); before that, the counts so far for those who run the vote, nothing for others."""
    user = request.auth
    decision = get_object_or_404(_decisions(user), pk=decision_id)
    if decision.state == Decision.State.PUBLISHED:
        result = decision.tally.get("result")
    elif user.has_perm("owners.run_decision", decision):
        result = decision.tally.get("result") or selectors.counts_so_far(decision)
    else:
        result = None
    return {
        "decision_id": decision.pk, "state": decision.state, "thresholds": decision.thresholds,
        "result": result,
        "digest": decision.tally_digest if decision.state == Decision.State.PUBLISHED else "",
    }  # fmt: skip


def _take(user, decision_id: int, step, raw: dict):
    decision = get_object_or_404(_decisions(user), pk=decision_id)
    step.run(actor=user, decision=decision, data={})
    return get_object_or_404(_decisions(user), pk=decision_id)


add_step_operations(
    router, steps.STEPS, collection="/decisions", id_name="decision_id", out=DecisionOut,
    body_field=lambda spec: (str, ...), take=_take, prefix="owners", model_prefix="OwnersStep",
    model_base=Input,
)  # fmt: skip
