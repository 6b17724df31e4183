"""The registry router of the JSON API, mounted at /api/registry/. Thin: selectors and services."""

from typing import Annotated

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from admission.models import AdmittedItem
from core.api import IdempotencyKey, Page, errors, idempotent
from core.api_schemas import MAX_ID, PathId
from core.models import Department, PlaceLevel
from core.selectors import places_visible_to
from registry import selectors, services

router = Router(tags=["registry"])


class FieldOut(Schema):
    key: str
    label: str
    kind: str
    owner: str
    sensitive: bool
    is_tag: bool


class ConflictOut(Schema):
    id: int
    person_id: int
    person_name: str = Field(alias="person.name")
    field: str = Field(alias="field.label")
    owner: str = Field(alias="field.owner_label")
    shown_value: str = Field(alias="shown.value")
    shown_source: str = Field(alias="shown.source_label")
    challenger_value: str = Field(alias="challenger.value")
    challenger_source: str = Field(alias="challenger.source_label")
    opened_at: str

    @staticmethod
    def resolve_opened_at(obj):
        return obj.opened_at.isoformat()


class SettleIn(Schema):
    keep: str = Field(..., pattern="^(shown|challenger)$")
    note: str = Field("", max_length=200)


class BatchOut(Schema):
    id: int
    filename: str
    source: str
    status: str
    message: str
    rows_total: int
    rows_done: int
    rows_ok: int
    rows_bad: int
    rows_to_confirm: int
    rows_unchanged: int
    percent: int


class ReportOut(Schema):
    id: int
    name: str
    department: str
    status: str
    columns: list[str]

    @staticmethod
    def resolve_department(obj):
        return obj["department"] if isinstance(obj, dict) else obj.department.name

    @staticmethod
    def resolve_columns(obj):
        return obj["columns"] if isinstance(obj, dict) else [c.title for c in obj.columns.all()]


class CellOut(Schema):
    key: str
    value: str
    source: str
    missing: bool


class ReportRowOut(Schema):
    person_id: int
    community: str
    cells: list[CellOut]


class ReportIn(Schema):
    department_id: int = Field(..., ge=1, le=MAX_ID)
    # The admitted item of kind form the report stands on (refused without one, in words).
    item_id: int | None = Field(None, ge=1, le=MAX_ID)
    name: str = Field(..., min_length=1, max_length=100)
    fields: list[str] = Field(default_factory=list, max_length=50)
    new_columns: list[str] = Field(default_factory=list, max_length=20)
    tags: list[str] = Field(default_factory=list, max_length=10)
    min_age: int | None = Field(None, ge=0, le=150)


@router.get("/fields", response={200: list[FieldOut], **errors()}, summary="Field registry")
def field_list(request):
    """Each field of the user's district with its owning department (一数一源)."""
    districts = selectors.districts_of(request.auth)
    if not districts:
        return []
    fields = sorted(services.ensure_fields(districts[0]).values(), key=lambda f: (f.order, f.key))
    return [
        {"key": f.key, "label": f.label, "kind": f.kind, "owner": f.owner_label,
         "sensitive": f.sensitive, "is_tag": f.is_tag}
        for f in fields
    ]  # fmt: skip


@router.get("/conflicts", response={200: list[ConflictOut], **errors(422)})
@paginate(Page)
def conflict_list(request):
    """Open conflicts (数据打架) this user settles, oldest first."""
    return selectors.conflicts_for(request.auth).order_by("opened_at", "pk")


@router.post(
    "/conflicts/{conflict_id}/settle", response={200: ConflictOut, **errors(400, 403, 404, 422)}
)
def conflict_settle(request, conflict_id: PathId, data: SettleIn):
    from registry.models import Conflict

    conflict = get_object_or_404(
        Conflict.objects.select_related("person", "field__owner", "shown", "challenger"),
        pk=conflict_id,
    )
    if not request.auth.has_perm("registry.settle_conflict", conflict):
        raise PermissionDenied(_("只有权威来源部门可以核定此冲突。"))
    services.conflict_settle(actor=request.auth, conflict=conflict, keep=data.keep, note=data.note)
    conflict.refresh_from_db()
    return conflict


@router.get(
    "/imports/{batch_id}", response={200: BatchOut, **errors(404, 422)}, summary="Import progress"
)
def batch_detail(request, batch_id: PathId):
    b = get_object_or_404(selectors.batches_visible_to(request.auth), pk=batch_id)
    return {
        "id": b.pk, "filename": b.filename, "source": str(b.source), "status": b.status,
        "message": b.message, "rows_total": b.rows_total, "rows_done": b.rows_done,
        "rows_ok": b.rows_ok, "rows_bad": b.rows_bad, "rows_to_confirm": b.rows_to_confirm,
        "rows_unchanged": b.rows_unchanged, "percent": b.percent,
    }  # fmt: skip


@router.get("/reports", response={200: list[ReportOut], **errors(422)})
@paginate(Page)
def report_list(request):
    return selectors.reports_visible_to(request.auth).prefetch_related("columns").order_by("pk")


@router.post("/reports", response={201: ReportOut, **errors(400, 403, 404, 409, 422)})
def report_register(
    request, response: HttpResponse, data: ReportIn, idempotency_key: IdempotencyKey = None
):
    """Register a one-table report; columns the registry already holds are refused."""
    department = get_object_or_404(Department, pk=data.department_id)
    item = None
    if data.item_id is not None:
        item = get_object_or_404(AdmittedItem, pk=data.item_id, district_id=department.district_id)

    def run():
        report = services.report_register(
            actor=request.auth, department=department, item=item, name=data.name,
            field_keys=data.fields,
            new_columns=data.new_columns, population={"tags": data.tags, "min_age": data.min_age},
        )  # fmt: skip
        return 201, _report_out(report)

    return idempotent(
        request, response, key=idempotency_key, operation="registry.report_register",
        payload=data.dict(), run=run,
    )  # fmt: skip


def _report_out(report) -> dict:
    return {
        "id": report.pk, "name": report.name, "department": report.department.name,
        "status": report.status, "columns": [c.title for c in report.columns.all()],
    }  # fmt: skip


@router.get(
    "/reports/{report_id}/rows", response={200: list[ReportRowOut], **errors(403, 404, 422)}
)
def report_rows(
    request,
    report_id: PathId,
    community: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
):
    """One page (50) of a report's rows: held values with their source, missing cells marked."""
    report = get_object_or_404(selectors.reports_visible_to(request.auth), pk=report_id)
    if not request.auth.has_perm("registry.view_report", report):
        raise PermissionDenied(_("您无权查看此报表。"))
    scope = selectors.report_scope(request.auth, report)
    if community is not None:
        place = places_visible_to(request.auth).filter(pk=community, level=PlaceLevel.COMMUNITY)
        scope = scope.filter(community__in=place)
    residences = list(selectors.population(report, scope)[(page - 1) * 50 : page * 50])
    fields = [c.field for c in report.columns.select_related("field")]
    return [
        {"person_id": r.person.pk, "community": r.residence.community.name,
         "cells": [c.__dict__ for c in r.cells]}
        for r in selectors.report_rows(report.district, fields, residences)
    ]  # fmt: skip
