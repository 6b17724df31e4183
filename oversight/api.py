"""The oversight JSON API: cases the caller may see (the officers', or their own) and one
operation per step of the case table; assessment results the caller may see."""

import datetime
from typing import Annotated

from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from pydantic import AfterValidator, Field

from core.api import AUTH, errors
from core.api_schemas import Input, _no_nul
from core.steps import add_step_operations
from oversight import selectors, steps

router = Router(auth=AUTH, tags=["oversight"])


class CaseOut(Schema):
    id: int
    district_id: int
    person_id: int
    state: str
    sanction: str
    decided_on: datetime.date
    in_force_until: datetime.date
    tolerance_granted: bool | None
    rectify_by: datetime.date | None


def case_out(case) -> dict:
    return {f: getattr(case, f) for f in CaseOut.model_fields}


@router.get("/cases", response={200: list[CaseOut], **errors()}, summary="Cases the caller may see")
def case_list(request):
    return [case_out(c) for c in selectors.cases_visible_to(request.auth).order_by("-pk")[:500]]


@router.get("/cases/{case_id}", response={200: CaseOut, **errors(404)}, summary="One case")
def case_detail(request, case_id: int):
    return case_out(get_object_or_404(selectors.cases_visible_to(request.auth), pk=case_id))


def _body_field(spec: steps.Input):
    label = str(spec.label)
    if spec.kind == steps.DATE:
        return datetime.date, Field(..., description=label)
    if spec.kind == steps.YES_NO:
        return bool, Field(..., description=label)
    if spec.kind == steps.GROUNDS:
        choices = ", ".join(steps.DISTINCTION_LABELS)
        return list[str], Field(..., max_length=3, description=f"{label}: {choices}")
    text = Annotated[str, AfterValidator(_no_nul)]
    return text, Field(... if spec.required else "", max_length=spec.max_length, description=label)


def _take(user, case_id: int, step, raw: dict) -> dict:
    case = get_object_or_404(selectors.cases_visible_to(user), pk=case_id)
    step.run(actor=user, case=case, data=steps.clean_input(step, raw))
    return case_out(get_object_or_404(selectors.cases_visible_to(user), pk=case_id))


add_step_operations(
    router, steps.STEPS, collection="/cases", id_name="case_id", out=CaseOut,
    body_field=_body_field, take=_take, prefix="oversight", model_prefix="OversightStep",
    model_base=Input,
)  # fmt: skip


class ResultOut(Schema):
    id: int
    year: int
    community_id: int
    score: float | None
    rank: int | None
    objected: bool
    answered: bool


@router.get("/results", response={200: list[ResultOut], **errors()}, summary="Assessment results")
def result_list(request):
    return [
        {"id": r.pk, "year": r.scheme.year, "community_id": r.community_id, "score": r.score,
         "rank": r.rank, "objected": bool(r.objected_at), "answered": bool(r.answered_at)}
        for r in selectors.results_visible_to(request.auth).order_by("-scheme__year", "pk")[:2000]
    ]  # fmt: skip
