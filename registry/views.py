"""Registry pages. Thin: parse the form, call a service, show the result or the error."""

import io
import urllib.parse

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from admission import selectors as admission_selectors
from core.models import Department, Person, PlaceLevel, Role
from core.refusals import REFUSALS, attempt, refusal_text, refusals_shown_on
from core.selectors import places_visible_to
from core.validation import search_query
from registry import forms, importer, selectors, services
from registry.importing.template import import_template as import_template_for
from registry.models import (
    Field,
    ImportBatch,
    ImportRow,
    Organisation,
    ReportForm,
    SharingGrant,
)
from registry.rules import DISTRICT_LEADS

PAGE = 50
EXPORT_LIMIT = 20000  # rows per Excel export; larger scopes export by community


def _xlsx_response(stream: io.BytesIO, filename: str) -> HttpResponse:
    response = HttpResponse(
        stream.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    quoted = urllib.parse.quote(filename)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quoted}"
    return response


# ---------------------------------------------------------------- overview


@login_required
def home(request):
    user = request.user
    context = {
        "residents": selectors.residents_visible_to(user).count(),
        "conflicts": selectors.conflicts_for(user).count(),
        "batches": selectors.batches_visible_to(user)[:5],
        "reports": selectors.reports_visible_to(user).filter(status="kept").count(),
        "can_import": bool(selectors.departments_acting_for(user, {Role.ADMIN})),
    }
    return render(request, "registry/home.html", context)


@login_required
def residents(request):
    user = request.user
    qs = selectors.residents_visible_to(user).order_by("community__code", "household__number", "pk")
    q = search_query(request)
    if q:
        qs = qs.filter(person__name__contains=q)
    if request.GET.get("separated"):
        qs = qs.filter(separated=True)
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    tags = {}
    person_ids = [r.person_id for r in page]
    from registry.models import Fact

    for fact in Fact.objects.filter(
        person_id__in=person_ids, is_current=True, field__is_tag=True, value="是"
    ).select_related("field"):
        tags.setdefault(fact.person_id, []).append(fact.field.label)
    for residence in page:
        residence.tag_list = tags.get(residence.person_id, [])
    query = urllib.parse.urlencode({"q": q, "separated": request.GET.get("separated", "")})
    return render(request, "registry/residents.html", {"page": page, "q": q, "query": query})


@login_required
def person(request, pk):
    """The sourced facts about one person (masked), with their sources and conflicts."""
    user = request.user
    residence = selectors.residents_visible_to(user).filter(person_id=pk).first()
    if residence is None:
        raise Http404
    return render(
        request,
        "registry/person.html",
        {"residence": residence, "person": residence.person,
         "facts": selectors.facts_about(residence.person)},
    )  # fmt: skip


# ---------------------------------------------------------------- imports


@login_required
def imports(request):
    user = request.user
    departments = selectors.departments_acting_for(user, {Role.ADMIN})
    form = forms.UploadForm(departments=departments)
    if request.method == "POST":
        form = forms.UploadForm(request.POST, request.FILES, departments=departments)
        if form.is_valid():
            data = form.cleaned_data
            with refusals_shown_on(form):
                source = services.import_source_create(
                    actor=user, department=data["department"], name=data["source_name"]
                )
                batch = services.import_upload(actor=user, source=source, upload=data["file"])
                return redirect("registry:batch", batch.pk)
    batches = selectors.batches_visible_to(user)
    page = Paginator(batches, 20).get_page(request.GET.get("page"))
    sources = selectors.import_sources_for(user)
    return render(
        request,
        "registry/imports.html",
        {
            "form": form if departments else None,
            "page": page,
            "sources": sources,
            "departments": departments,
        },
    )


@login_required
def import_template(request, department):
    """The blank file to fill for one of the departments the user imports for."""
    chosen = get_object_or_404(
        selectors.departments_acting_for(request.user, {Role.ADMIN}), pk=department
    )
    return _xlsx_response(
        import_template_for(chosen), _("导入模板-%(d)s.xlsx") % {"d": chosen.name}
    )


def _batch(request, pk) -> ImportBatch:
    return get_object_or_404(selectors.batches_visible_to(request.user), pk=pk)


def _commit(request, b) -> None:
    services.import_commit(actor=request.user, batch=b)
    messages.success(request, _("已开始导入，整批成功或整批不导入。"))


def _recheck(request, b) -> None:
    services.import_recheck(actor=request.user, batch=b)
    messages.success(request, _("已重新开始检查，完成后本页会显示结果。"))


def _set_mapping(request, b) -> None:
    mapping = {h["title"]: request.POST.get(f"map-{i}", "") for i, h in enumerate(b.headers)}
    services.import_source_set_mapping(actor=request.user, source=b.source, mapping=mapping)
    services.import_recheck(actor=request.user, batch=b)
    messages.success(request, _("列映射已保存，正在按新映射重新检查。"))


def _confirm_person(request, b) -> None:
    row = get_object_or_404(ImportRow, batch=b, pk=request.POST.get("row"))
    choice = request.POST.get("person", "")
    chosen = Person.objects.filter(pk=choice).first() if choice.isdigit() else None
    if choice.isdigit() and chosen is None:
        raise ValidationError(_("请选择候选人员。"))
    services.import_confirm(actor=request.user, row=row, person=chosen)


def _check_id_numbers(request, b) -> None:
    """One row's ID number ending in 000 checked ("row"), or all of the batch's ("all")."""
    row_id = request.POST.get("row", "")
    row = None if row_id == "all" else get_object_or_404(
        ImportRow, batch=b, pk=row_id if row_id.isdigit() else 0
    )  # fmt: skip
    checked = services.import_id_numbers_checked(actor=request.user, batch=b, row=row)
    messages.success(request, _("已核对%(n)d个身份证号，导入时照这些号码登记。") % {"n": checked})


# What each button of the batch page does (its form's "action").
BATCH_ACTIONS = {
    "commit": _commit, "recheck": _recheck, "mapping": _set_mapping,
    "confirm": _confirm_person, "id_checked": _check_id_numbers,
}  # fmt: skip


@login_required
def batch(request, pk):
    user = request.user
    b = _batch(request, pk)
    if request.method == "POST":
        act = BATCH_ACTIONS.get(request.POST.get("action"))
        with refusals_shown_on(request):  # refused: the page below shows why
            if act is not None:
                act(request, b)
            return redirect("registry:batch", b.pk)
    if request.headers.get("HX-Request"):
        return render(request, "registry/_batch_status.html", {"b": b})
    bad_rows = b.rows.filter(status=ImportRow.Status.BAD)[:200]
    confirm_rows = list(b.rows.filter(status=ImportRow.Status.CONFIRM)[:50])
    ids_to_check = b.rows.filter(**services.ID_NUMBERS_TO_CHECK).count() if confirm_rows else 0
    candidates = Person.objects.in_bulk({c for r in confirm_rows for c in r.candidates})
    for row in confirm_rows:
        row.people = [candidates[c] for c in row.candidates if c in candidates]
    fields = services.ensure_fields(b.district)
    targets = [("", _("（不导入）")), ("street", _("所属街道")), ("community", _("所属社区")),
               ("remark", _("备注（识别独居等标签）"))] + [(f.key, f.label) for f in fields.values()]  # fmt: skip
    return render(
        request,
        "registry/batch.html",
        {"b": b, "bad_rows": bad_rows, "confirm_rows": confirm_rows, "ids_to_check": ids_to_check,
         "targets": targets, "can_edit": user.has_perm("registry.import", b.source)},
    )  # fmt: skip


@login_required
def batch_report(request, pk):
    b = _batch(request, pk)
    stem = b.filename.rsplit(".", 1)[0]
    return _xlsx_response(importer.error_report(b), _("检查结果-%(f)s.xlsx") % {"f": stem})


# ---------------------------------------------------------------- conflicts and fields


@login_required
def conflicts(request):
    user = request.user
    qs = selectors.conflicts_for(user)
    if request.method == "POST":
        conflict = get_object_or_404(qs, pk=request.POST.get("conflict"))
        form = forms.SettleForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请选择保留哪一个值。"))
        elif attempt(
            request, services.conflict_settle, actor=user, conflict=conflict,
            done_message=_("已核定。"), **form.cleaned_data,
        ):  # fmt: skip
            return redirect("registry:conflicts")
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    # A department settles its fields' conflicts without seeing the residents: a name links to
    # the person's page only when it opens for the user (residents_visible_to).
    opens = set(
        selectors.residents_visible_to(user)
        .filter(person_id__in=[c.person_id for c in page])
        .values_list("person_id", flat=True)
    )
    return render(request, "registry/conflicts.html", {"page": page, "opens": opens})


@login_required
def fields(request):
    user = request.user
    districts = selectors.districts_of(user)
    if not districts:
        raise PermissionDenied
    district = districts[0]
    registry_fields = list(services.ensure_fields(district).values())
    registry_fields.sort(key=lambda f: (f.order, f.key))
    can_manage = user.has_perm("registry.manage_fields", district)
    departments = Department.objects.functional().filter(district=district, is_active=True)
    if request.method == "POST":
        field = get_object_or_404(Field, district=district, pk=request.POST.get("field"))
        owner = departments.filter(pk=request.POST.get("owner") or 0).first()
        if attempt(
            request, services.field_set_owner, actor=user, field=field, owner=owner,
            done_message=_("已更新“%(f)s”的权威来源。") % {"f": field.label},
        ):  # fmt: skip
            return redirect("registry:fields")
    return render(
        request,
        "registry/fields.html",
        {"fields": registry_fields, "can_manage": can_manage, "departments": departments},
    )


# ---------------------------------------------------------------- one-table reports


@login_required
def reports(request):
    user = request.user
    departments = selectors.departments_acting_for(user, DISTRICT_LEADS)
    districts = selectors.districts_of(user)
    registry_fields = []
    if districts:
        registry_fields = sorted(
            services.ensure_fields(districts[0]).values(), key=lambda f: (f.order, f.key)
        )
        registry_fields = [f for f in registry_fields if f.order < 500]
    items = list(admission_selectors.form_items_usable(departments=departments))
    form = forms.ReportRegisterForm(
        departments=departments, registry_fields=registry_fields, items=items
    )
    if request.method == "POST":
        form = forms.ReportRegisterForm(
            request.POST, departments=departments, registry_fields=registry_fields, items=items
        )
        if form.is_valid():
            data = form.cleaned_data
            with refusals_shown_on(form):
                report = services.report_register(
                    actor=user, department=data["department"], name=data["name"],
                    item=form.items.get(data["item"]),
                    field_keys=data["fields"], new_columns=data["new_columns"].splitlines(),
                    population={"tags": data["tags"], "min_age": data["min_age"]},
                )  # fmt: skip
                messages.success(request, _("报表已登记，已有的数据已自动填写。"))
                return redirect("registry:report", report.pk)
    qs = selectors.reports_visible_to(user).prefetch_related("columns__field")
    return render(
        request,
        "registry/reports.html",
        {"reports": qs[:100], "form": form if departments else None},
    )


def _report(request, pk) -> ReportForm:
    report = get_object_or_404(selectors.reports_visible_to(request.user), pk=pk)
    if not request.user.has_perm("registry.view_report", report):
        raise PermissionDenied
    return report


def _report_scope(request, report):
    scope = selectors.report_scope(request.user, report)
    community = None
    community_id = request.GET.get("community", "")
    if community_id.isdigit():
        community = (
            places_visible_to(request.user)
            .filter(pk=community_id, level=PlaceLevel.COMMUNITY)
            .first()
        )
        if community is not None:
            scope = scope.filter(community=community)
    return scope, community


@login_required
def report(request, pk):
    user = request.user
    report = _report(request, pk)
    scope, community = _report_scope(request, report)
    population = selectors.population(report, scope)
    only_missing = request.GET.get("missing") == "1"
    errors = {}
    if request.method == "POST":
        saved, errors = _fill_cells(request, report, population)
        if not errors:
            messages.success(
                request, _("已补填%(n)d项，报表已更新；其余待补项仍在下方。") % {"n": saved}
            )
            return redirect(request.get_full_path())
    columns = list(report.columns.select_related("field__owner"))
    # Page through the ordered keys only (a narrow sort), then load the page's 50 rows whole.
    page = Paginator(population.values_list("pk", flat=True), PAGE).get_page(
        request.GET.get("page")
    )
    loaded = population.in_bulk(list(page))
    residences = [loaded[pk] for pk in page if pk in loaded]
    rows = selectors.report_rows(report.district, [c.field for c in columns], residences)
    if only_missing:
        rows = [r for r in rows if r.missing]
    # A refused value stays in its box beside its refusal, to be corrected rather than retyped.
    _mark_cells(user, report, columns, rows, errors, request.POST if errors else {})
    total_cells = len(columns) * len(rows)
    missing = sum(r.missing for r in rows)
    communities = places_visible_to(user).filter(
        level=PlaceLevel.COMMUNITY, district=report.district
    )
    query = urllib.parse.urlencode(
        {"community": community.pk if community else "", "missing": "1" if only_missing else ""}
    )
    return render(
        request,
        "registry/report.html",
        {"report": report, "columns": columns, "rows": rows, "page": page,
         "filled": total_cells - missing, "total_cells": total_cells, "missing": missing,
         "communities": communities, "community": community, "only_missing": only_missing,
         "query": query, "errors": errors, "can_fill_any": any(row.can_fill for row in rows),
         "auto": sum(1 for c in columns if c.field.order < 500)},
    )  # fmt: skip


def _fill_cells(request, report, population) -> tuple[int, dict[str, str]]:
    """Save each cell typed on the page (named cell-<person>-<field>) for a person in the
    report's population. Returns how many were saved and each refused cell's refusal."""
    saved, errors = 0, {}
    for name, raw in request.POST.items():
        if not name.startswith("cell-") or not raw.strip():
            continue
        _prefix, person_id, key = name.split("-", 2)
        residence = population.filter(person_id=person_id).first() if person_id.isdigit() else None
        if residence is None:
            continue
        try:
            services.report_fill(
                actor=request.user, report=report, person=residence.person, key=key, raw=raw
            )
            saved += 1
        except REFUSALS as exc:
            errors[name] = refusal_text(exc)
    return saved, errors


def _mark_cells(user, report, columns, rows, errors, typed) -> None:
    """Which rows the user may fill, and each cell's title, input name and kind (the input it
    gets), its refusal and the value refused."""
    can_fill = report.status == "kept"
    for row in rows:
        where = row.residence.grid or row.residence.community
        row.can_fill = can_fill and user.has_perm("registry.fill_report", where)
        for column, cell in zip(columns, row.cells, strict=True):
            cell.title = column.title
            cell.name = f"cell-{row.person.pk}-{cell.key}"
            cell.error = errors.get(cell.name, "")
            cell.kind = column.field.kind
            cell.typed = typed.get(cell.name, "") if cell.error else ""


@login_required
def report_export(request, pk):
    """The report in the department's Excel layout: title, filler row, header, rows, total."""
    from openpyxl.styles import Alignment, Font

    from core.exports import SafeWorkbook, sheet_title

    report = _report(request, pk)
    scope, community = _report_scope(request, report)
    residences = list(selectors.population(report, scope)[: EXPORT_LIMIT + 1])
    truncated = len(residences) > EXPORT_LIMIT
    residences = residences[:EXPORT_LIMIT]
    columns = list(report.columns.select_related("field"))
    rows = selectors.report_rows(report.district, [c.field for c in columns], residences)
    workbook = SafeWorkbook()
    sheet = workbook.active
    sheet.title = sheet_title(report.name)
    width = len(columns) + 2
    sheet.append([report.name])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append([_("填报单位：%(d)s　范围：%(c)s　导出日期：%(t)s") % {
        "d": report.department.name, "c": community.name if community else _("全部"),
        "t": timezone.localdate().isoformat()}])  # fmt: skip
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    sheet.append([_("序号"), _("所属社区"), *[c.title for c in columns]])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for number, row in enumerate(rows, start=1):
        sheet.append([number, row.residence.community.name, *[c.value for c in row.cells]])
    sheet.append([_("合计"), _("%(n)d人") % {"n": len(rows)}])
    if truncated:
        sheet.append([_("仅导出前%(n)d人，请按社区分别导出。") % {"n": EXPORT_LIMIT}])
    for letter, w in zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", [6, 14, *[16] * len(columns)], strict=False):
        sheet.column_dimensions[letter].width = w
    out = io.BytesIO()
    workbook.save(out)
    return _xlsx_response(out, f"{report.name}.xlsx")


@login_required
def ledger(request):
    user = request.user
    qs = selectors.reports_visible_to(user).prefetch_related("ledger")
    districts = selectors.districts_of(user)
    # A form registered before the gate is kept on an item of its department, or stopped.
    items = admission_selectors.form_items_usable(districts=districts)
    if request.method == "POST":
        report = get_object_or_404(qs, pk=request.POST.get("report"))
        form = forms.StatusForm(request.POST, reports=qs.filter(status="kept"), items=items)
        if form.is_valid() and attempt(
            request, services.report_set_status, actor=user, report=report, **form.cleaned_data
        ):
            return redirect("registry:ledger")
    can_keep = bool(districts) and user.has_perm("registry.keep_ledger", districts[0])
    counts = {s: qs.filter(status=s).count() for s in ReportForm.Status.values}
    reports = admission_selectors.with_admission(list(qs[:200]), items)
    counts["unadmitted"] = sum(1 for r in reports if r.admitted is None and r.status == "kept")
    return render(
        request,
        "registry/ledger.html",
        {"reports": reports, "can_keep": can_keep, "counts": counts,
         "kept": qs.filter(status="kept")},
    )  # fmt: skip


# ---------------------------------------------------------------- data sharing


@login_required
def sharing(request):
    user = request.user
    districts = selectors.districts_of(user)
    district = districts[0] if districts else None
    can_grant = district is not None and user.has_perm("registry.grant_sharing", district)
    registry_fields = (
        [f for f in services.ensure_fields(district).values() if f.order < 500] if district else []
    )
    form = None
    if can_grant:
        departments = Department.objects.functional().filter(district=district, is_active=True)
        form = forms.GrantForm(departments=departments, registry_fields=registry_fields)
        if request.method == "POST" and request.POST.get("action") == "grant":
            form = forms.GrantForm(
                request.POST, departments=departments, registry_fields=registry_fields
            )
            if form.is_valid():
                with refusals_shown_on(form):
                    services.grant_create(
                        actor=user, department=form.cleaned_data["department"],
                        field_keys=form.cleaned_data["fields"],
                        purpose=form.cleaned_data["purpose"],
                    )  # fmt: skip
                    return redirect("registry:sharing")
        if request.method == "POST" and request.POST.get("action") == "end":
            grant = get_object_or_404(SharingGrant, district=district, pk=request.POST.get("grant"))
            services.grant_end(actor=user, grant=grant)
            return redirect("registry:sharing")
    grants = list(selectors.grants_visible_to(user))
    for grant in grants:
        grant.can_use = user.has_perm("registry.use_grant", grant)
    return render(
        request, "registry/sharing.html", {"grants": grants, "form": form, "can_grant": can_grant}
    )


@login_required
def shared_view(request, pk):
    """A department reads residents' granted fields, for the grant's purpose; each read logged."""
    user = request.user
    grant = get_object_or_404(SharingGrant.objects.select_related("department", "district"), pk=pk)
    if not user.has_perm("registry.use_grant", grant):
        raise PermissionDenied(_("本部门没有此项数据共享授权。"))
    q = search_query(request)
    rows, page = [], None
    if q:
        from registry.models import Residence

        residences = Residence.objects.filter(
            district=grant.district, person__name__contains=q
        ).select_related("person", "community", "grid", "household")
        page = Paginator(residences.order_by("pk"), 20).get_page(request.GET.get("page"))
        fields = list(grant.fields.all())
        rows = selectors.report_rows(grant.district, fields, list(page))
        services.shared_read(actor=user, grant=grant, people=[r.person for r in rows])
    return render(
        request,
        "registry/shared_view.html",
        {"grant": grant, "fields": list(grant.fields.all()), "rows": rows, "q": q, "page": page},
    )


# ---------------------------------------------------------------- my data, organisations


@login_required
def my_data(request):
    """What the registry holds about me (masked), from which source, and who read it."""
    person = getattr(request.user, "person", None)
    facts, reads = [], []
    residence = None
    if person is not None:
        facts = selectors.facts_about(person)
        reads = selectors.reads_of(person)[:100]
        residence = getattr(person, "residence", None)
    return render(
        request,
        "registry/my_data.html",
        {"person": person, "facts": facts, "reads": reads, "residence": residence},
    )


@login_required
def organisations(request):
    user = request.user
    communities = places_visible_to(user).filter(level=PlaceLevel.COMMUNITY)
    allowed = [c.pk for c in communities[:500] if user.has_perm("registry.manage_residents", c)]
    communities = communities.filter(pk__in=allowed)
    form = forms.OrganisationForm(communities=communities) if allowed else None
    if request.method == "POST" and form is not None:
        form = forms.OrganisationForm(request.POST, communities=communities)
        if form.is_valid():
            with refusals_shown_on(form):
                services.organisation_register(actor=user, **form.cleaned_data)
                messages.success(request, _("已登记。"))
                return redirect("registry:organisations")
    visible = Organisation.objects.filter(
        community__in=places_visible_to(user).filter(level=PlaceLevel.COMMUNITY)
    ).select_related("community")
    page = Paginator(visible, PAGE).get_page(request.GET.get("page"))
    return render(request, "registry/organisations.html", {"page": page, "form": form})
