"""Pages of the services app. Thin: parse, call a service or a selector, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import csp, images
from core.selectors import people_visible_to
from services import selectors, steps
from services import services as request_services
from services.forms import RequestForm
from services.models import (
    Application,
    Category,
    Channel,
    Rating,
    State,
)
from services.rules import officer_departments


def _errors(form, error) -> None:
    if isinstance(error, PermissionDenied):
        form.add_error(None, str(error) or _("您没有执行此操作的权限。"))
    else:
        for message in error.messages:
            form.add_error(None, message)


def map_options() -> dict:
    """What the pin map needs: a tile URL template (none unless configured: setting
    ``LINLI_MAP_TILES`` or the environment variable of that name; without tiles the map is a
    plain coordinate grid), its attribution, and where to centre before a pin is dropped."""
    import os

    from django.conf import settings

    tiles = csp.map_tiles()  # the Content-Security-Policy allows their images (core.csp)
    attribution = getattr(settings, "LINLI_MAP_ATTRIBUTION", None) or os.environ.get(
        "LINLI_MAP_ATTRIBUTION", ""
    )
    centre = getattr(settings, "LINLI_MAP_CENTER", None) or os.environ.get(
        "LINLI_MAP_CENTER", "32.0415,118.7946"
    )
    try:
        lat, lng = (float(part) for part in str(centre).split(","))
    except ValueError:
        lat, lng = 32.0415, 118.7946
    return {"tiles": tiles, "attribution": attribution, "center": [lat, lng], "zoom": 15}


def _deadline_tone(moment) -> str:
    if moment is None:
        return ""
    left = moment - timezone.now()
    if left.total_seconds() < 0:
        return "alert"
    if left.total_seconds() < 24 * 3600:
        return "warn"
    return ""


# ---------------------------------------------------------------- resident


@login_required
def home(request):
    """我的诉求: what the user filed, newest first, and the way to file another."""
    user = request.user
    page = Paginator(selectors.my_requests(user), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "services/home.html",
        {
            "page": page,
            "now": timezone.now(),
            "can_dispatch": selectors.is_dispatcher(user),
            "is_grid_worker": selectors.patrol_places(user).exists(),
            "can_intake": selectors.intake_places(user).exists(),
            "is_officer": bool(officer_departments(user)),
        },
    )


def _item_from(request, user):
    code = request.GET.get("item") or request.POST.get("item")
    if not code:
        return None
    return get_object_or_404(selectors.items_for(user), pk=code if str(code).isdigit() else -1)


def _home_place(user):
    person = getattr(user, "person", None)
    return person.place if person is not None else None


def _submit_page(request, *, channel: str, places, title: str, intake: bool = False):
    user = request.user
    item = _item_from(request, user)
    if item is None and not request.GET.get("free") and request.method == "GET":
        items = selectors.items_for(user)
        groups: dict[str, list] = {}
        for entry in items.order_by("group", "code"):
            groups.setdefault(entry.group or _("其他"), []).append(entry)
        return render(
            request,
            "services/choose_item.html",
            {"groups": groups, "title": title, "channel": channel},
        )
    home_place = _home_place(user)
    initial = {"place": home_place.pk} if home_place and places.filter(pk=home_place.pk) else {}
    form = RequestForm(
        request.POST or None,
        request.FILES or None,
        item=item,
        places=places,
        intake=intake,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        resident = user.person if channel == Channel.H5 and hasattr(user, "person") else None
        try:
            if intake and data.get("resident_mobile"):
                from core.personal_data import mobile_hash

                resident = (
                    people_visible_to(user)
                    .filter(mobile_hash=mobile_hash(data["resident_mobile"].strip()))
                    .first()
                )
                if resident is None:
                    raise ValidationError(_("在您服务的范围内没有找到这个手机号的居民。"))
            created = request_services.request_submit(
                actor=user,
                place=data["place"],
                item=item,
                title=data.get("title", ""),
                category=data.get("category", "") or "",
                description=data["description"],
                answers=form.answers(),
                address=data.get("address", ""),
                lat=data.get("lat", ""),
                long=data.get("long", ""),
                photo=data.get("photo"),
                channel=channel,
                resident=resident,
                contact_name=data.get("contact_name", ""),
                contact_phone=data.get("contact_phone", ""),
                client_key=data.get("client_key", ""),
            )
        except (ValidationError, PermissionDenied) as error:
            _errors(form, error)
        else:
            messages.success(request, _("已提交，编号%(number)s。") % {"number": created.number})
            return redirect("services:request_detail", pk=created.pk)
    return render(
        request,
        "services/request_form.html",
        {"form": form, "item": item, "title": title, "channel": channel, "map": map_options()},
    )


@login_required
def request_new(request):
    places = selectors.submit_places(request.user)
    if not places.exists():
        raise PermissionDenied(_("您还没有所属的社区，不能在线提交诉求。"))
    return _submit_page(request, channel=Channel.H5, places=places, title=_("我要反映"))


@login_required
def intake(request):
    places = selectors.intake_places(request.user)
    if not places.exists():
        raise PermissionDenied(_("您没有代办诉求的权限。"))
    return _submit_page(
        request, channel=Channel.STAFF, places=places, title=_("代办诉求"), intake=True
    )


@login_required
def patrol(request):
    places = selectors.patrol_places(request.user)
    if not places.exists():
        raise PermissionDenied(_("只有网格员可以巡查上报。"))
    return _submit_page(request, channel=Channel.PATROL, places=places, title=_("巡查上报"))


# ---------------------------------------------------------------- one request


def _visible(request, pk):
    found = selectors.requests_visible_to(request.user).filter(pk=pk).first()
    if found is None:
        raise Http404(_("没有这条诉求，或您无权查看。"))
    return found


@login_required
def request_detail(request, pk):
    user = request.user
    req = _visible(request, pk)
    staff_view = any(
        user.has_perm(perm, req) for perm in ("services.dispatch", "services.note")
    ) or (
        req.submitted_by_id != user.pk
        and not (req.resident_id and req.resident.account_id == user.pk)
    )
    events = req.events.select_related("department")
    if not staff_view:
        events = events.filter(public=True)
    can = {"dispatch": user.has_perm("services.dispatch", req)}  # the routing help
    suggestion, duplicates = None, []
    if can["dispatch"] and req.state in (State.SUBMITTED, State.ACCEPTED):
        from services import routing

        suggestion = routing.suggest(req)
        duplicates = routing.likely_duplicates(req)
    preselect = (
        req.item.lead_department_id
        if req.item_id
        else suggestion.department.pk
        if suggestion
        else None
    )
    public_text = request_services.public_text_of(req)
    return render(
        request,
        "services/request_detail.html",
        {
            "req": req,
            "events": events,
            "can": can,
            "staff_view": staff_view,
            "step_forms": _step_forms(user, req, preselect=preselect, public_text=public_text),
            "co_departments": list(req.co_departments.all()),
            "due_tone": _deadline_tone(req.due_at) if req.is_open else "",
            "accept_tone": _deadline_tone(req.accept_due) if req.state == State.SUBMITTED else "",
            "answer_rows": _answer_rows(req),
            "suggestion": suggestion,
            "duplicates": duplicates,
            "map": map_options() if req.lat is not None else None,
            "public_text": public_text,
        },
    )


def _step_forms(user, req, *, preselect, public_text) -> list[dict]:
    """The forms of the steps this user may take now (services.steps), ready to render: steps
    of one group share a form (one button each); a step on an application has a form per
    pending application."""
    available = steps.available_steps(user, req)
    groups: dict[str, list] = {}
    for step in available:
        groups.setdefault(step.form, []).append(step)
    departments = list(selectors.departments_for(req)) if available else []
    forms = []
    for group, members in groups.items():
        first = members[0]
        if first.per_application:
            for application in steps.pending_applications(req):
                forms.append(
                    _step_form(user, req, group, members, departments, preselect, public_text,
                               application)
                )  # fmt: skip
        else:
            forms.append(
                _step_form(user, req, group, members, departments, preselect, public_text, None)
            )
    return forms


def _step_form(user, req, group, members, departments, preselect, public_text, application):
    first = members[0]
    suffix = f"-{application.pk}" if application else ""
    inputs: dict[str, dict] = {}
    for step in members:
        for spec in step.inputs:
            if spec.kind == steps.DEPARTMENT and application is not None:
                if application.kind != Application.Kind.OBJECT:
                    continue
            entry = inputs.setdefault(
                spec.name,
                {"spec": spec, "id": (spec.dom_id or f"{group}-{spec.name}") + suffix,
                 "steps": set(), "required_by": set()},
            )  # fmt: skip
            entry["steps"].add(step.name)
            if spec.required:
                entry["required_by"].add(step.name)
    for entry in inputs.values():
        spec = entry["spec"]
        entry["required"] = entry["required_by"] == entry["steps"]
        if spec.kind in (steps.DEPARTMENT, steps.DEPARTMENTS):
            entry["choices"] = [
                (d.pk, d.name)
                for d in departments
                if not (spec.exclude_lead and d.pk == req.lead_department_id)
            ]
            if spec.kind == steps.DEPARTMENT:
                entry["selected"] = (
                    application.suggested_department_id
                    if application
                    else preselect
                    if not spec.exclude_lead
                    else None
                )
        elif spec.kind == steps.MERGE_TARGET:
            entry["choices"] = [
                (t.pk, f"{t.number} {t.title}") for t in steps.merge_targets(user, req)[:20]
            ]
        elif spec.kind == steps.RATING:
            entry["choices"] = Rating.choices
        elif spec.kind == steps.APPLICATION:
            entry["value"] = application.pk
        elif spec.name == "public_description" and public_text:
            entry["value"] = public_text.description
        elif spec.name == "public_status_notes" and public_text:
            entry["value"] = public_text.status_notes
    needed = {name for name, entry in inputs.items() if entry["required"]}
    buttons = [
        {
            "step": step,
            "label": step.kind_labels.get(application.kind, step.label)
            if application
            else step.label,
            "novalidate": bool(needed - {spec.name for spec in step.inputs}),
        }
        for step in members
    ]
    return {
        "group": group,
        "id": f"{group}-form{suffix}",
        "box": f"{group}-box",
        "title": first.title or first.label,
        "help": first.help,
        "collapsed": first.collapsed,
        "application": application,
        "inputs": list(inputs.values()),
        "buttons": buttons,
    }


def _answer_rows(req) -> list[tuple[str, str]]:
    if not req.item_id or not req.answers:
        return []
    rows = []
    for spec in req.item.fields:
        value = req.answers.get(spec["code"])
        if value in (None, "", []):
            continue
        names = dict(spec.get("values") or [])
        values = value if isinstance(value, list) else [value]
        rows.append((spec["label"], "、".join(names.get(v, v) for v in values)))
    return rows


@login_required
@require_POST
def request_act(request, pk):
    """One POST endpoint for every step of the table (services.steps): clean the step's input,
    call its service; a refusal is shown as a message with the reason."""
    user, post = request.user, request.POST
    req = _visible(request, pk)
    step = steps.BY_NAME.get(post.get("action", ""))
    try:
        if step is None:
            raise ValidationError(_("未知的操作。"))
        raw = {
            spec.name: post.getlist(spec.name)
            if spec.kind == steps.DEPARTMENTS
            else post.get(spec.name)
            for spec in step.inputs
        }
        step.run(actor=user, request=req, data=steps.clean_input(step, user, req, raw))
    except (ValidationError, PermissionDenied) as error:
        text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        messages.error(request, text or _("您没有执行此操作的权限。"))
    else:
        messages.success(request, _("已保存。"))
    return redirect("services:request_detail", pk=req.pk)


@login_required
def request_photo(request, pk):
    req = _visible(request, pk)
    if not req.photo:
        raise Http404
    # The type comes from the stored content, never from the file's name (core.images).
    return images.stored_response(req.photo, name_stem=f"photo-{req.pk}")


# ---------------------------------------------------------------- queues


@login_required
def dispatch_queue(request):
    user = request.user
    if not selectors.is_dispatcher(user):
        raise PermissionDenied(_("只有派单员可以打开派单台。"))
    queues = selectors.dispatch_queues(user)
    overdue = (
        selectors.dispatchable(user)
        .filter(state__in=[State.DISPATCHED, State.HANDLING], due_at__lt=timezone.now())
        .order_by("due_at")
    )
    sections = [
        ("submitted", _("待受理"), queues["submitted"][:50]),
        ("accepted", _("待派单"), queues["accepted"][:50]),
        ("answered", _("已答复待办结"), queues["answered"][:50]),
        ("disputed", _("不满意待核实"), queues["disputed"][:50]),
        ("closed", _("已办结待回访"), queues["closed"][:50]),
        ("overdue", _("已超期"), overdue[:50]),
    ]
    return render(
        request,
        "services/dispatch.html",
        {
            "sections": sections,
            "applications": list(selectors.pending_applications(user)[:50]),
            "now": timezone.now(),
        },
    )


@login_required
def department_queue(request):
    user = request.user
    if not officer_departments(user):
        raise PermissionDenied(_("只有职能部门工作人员可以打开部门工单。"))
    return render(
        request,
        "services/department.html",
        {
            "lead": selectors.department_queue(user)[:100],
            "co": selectors.co_handling_queue(user)[:50],
            "now": timezone.now(),
        },
    )


@login_required
def grid_queue(request):
    user = request.user
    from core.models import Role
    from core.rules import role_places

    grids = role_places(user, {Role.GRID_WORKER})
    if not grids and not user.is_superuser:
        raise PermissionDenied(_("只有网格员可以打开网格工单。"))
    return render(
        request,
        "services/grid.html",
        {"requests": selectors.grid_queue(user)[:100], "grids": grids, "now": timezone.now()},
    )


@login_required
def catalogue(request):
    items = selectors.catalogue_visible_to(request.user).prefetch_related("co_departments")
    category = request.GET.get("category", "")
    if category in Category.values:
        items = items.filter(category=category)
    return render(
        request,
        "services/catalogue.html",
        {
            "may_add": bool(_catalogue_districts(request.user)),
            "items": items.order_by("group", "code"),
            "categories": Category.choices,
            "category": category,
        },
    )


def _catalogue_districts(user) -> list:
    """Districts whose catalogue the user may change."""
    from core.models import Place, PlaceLevel
    from core.rules import assignments_of

    districts = {
        a.place.district_id for a in assignments_of(user) if a.place.district_id is not None
    }
    places = Place.objects.filter(level=PlaceLevel.DISTRICT, is_active=True)
    if not user.is_superuser:
        places = places.filter(pk__in=districts)
    return [d for d in places.order_by("code") if user.has_perm("services.manage_catalogue", d)]


@login_required
def item_new(request):
    """Add a catalogue item (version 1) to the user's district."""
    from core.models import Department
    from services.forms import ItemNewForm

    user = request.user
    districts = _catalogue_districts(user)
    if not districts:
        raise PermissionDenied(_("您无权修改事项目录。"))
    district = districts[0]
    departments = Department.objects.filter(district=district, is_active=True)
    form = ItemNewForm(
        request.POST or None,
        departments=departments,
        initial={
            "acceptance_days": 1,
            "applicant": "anyone",
            "category": Category.HELP,
            "fields_json": [],
        },  # fmt: skip
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["fields"] = data.pop("fields_json") or []
        try:
            item = request_services.item_create(actor=user, district=district, **data)
        except (ValidationError, PermissionDenied) as error:
            _errors(form, error)
        else:
            messages.success(request, _("已新增事项“%(name)s”。") % {"name": item.name})
            return redirect("services:item_detail", pk=item.pk)
    return render(request, "services/item_new.html", {"form": form, "district": district})


@login_required
def item_detail(request, pk):
    """One catalogue item; its district's dispatchers may edit it (the version goes up)."""
    from services.forms import ItemForm

    user = request.user
    item = get_object_or_404(selectors.catalogue_visible_to(user), pk=pk)
    can_edit = user.has_perm("services.manage_catalogue", item.district)
    form = None
    if can_edit:
        from core.models import Department

        departments = Department.objects.filter(district=item.district, is_active=True)
        initial = {
            name: getattr(item, name)
            for name in ("name", "category", "group", "keywords", "description", "materials",
                         "lead_department", "acceptance_days", "deadline_days", "applicant",
                         "is_active", "sensitive")
        }  # fmt: skip
        initial["co_departments"] = list(item.co_departments.all())
        initial["fields_json"] = item.fields
        form = ItemForm(request.POST or None, departments=departments, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = dict(form.cleaned_data)
            data["fields"] = data.pop("fields_json") or []
            try:
                request_services.item_update(actor=user, item=item, **data)
            except (ValidationError, PermissionDenied) as error:
                _errors(form, error)
            else:
                messages.success(request, _("已保存。"))
                return redirect("services:item_detail", pk=item.pk)
    elif request.method == "POST":
        raise PermissionDenied(_("您无权修改事项目录。"))
    from core.models import AuditEvent

    versions = AuditEvent.objects.filter(
        object_type="services.serviceitem",
        object_id=str(item.pk),
        action__in=["services.item_create", "services.item_update"],
    ).order_by("-at", "-id")
    return render(
        request,
        "services/item_detail.html",
        {"item": item, "form": form, "versions": versions if can_edit else []},
    )


@login_required
def open311_keys(request):
    """Open311 api_keys of the user's district: create (shown once) and revoke."""
    from core.rules import assignments_of
    from services.forms import Open311KeyForm
    from services.models import Open311Key
    from services.rules import DISPATCH_ROLES

    user = request.user
    districts = [a.place for a in assignments_of(user) if a.role in DISPATCH_ROLES]
    if not districts:
        raise PermissionDenied(_("只有区级派单员可以管理 Open311 密钥。"))
    district = districts[0]
    form, raw = Open311KeyForm(), None
    if request.method == "POST":
        try:
            if request.POST.get("revoke"):
                key = get_object_or_404(Open311Key, pk=request.POST["revoke"], district=district)
                request_services.open311_key_revoke(actor=user, key=key)
                messages.success(request, _("已撤销。"))
                return redirect("services:open311_keys")
            form = Open311KeyForm(request.POST)
            if form.is_valid():
                _key, raw = request_services.open311_key_create(
                    actor=user, district=district, name=form.cleaned_data["name"]
                )
                form = Open311KeyForm()
        except (ValidationError, PermissionDenied) as error:
            _errors(form, error)
    keys = Open311Key.objects.filter(district=district).order_by("-created_at")
    return render(
        request,
        "services/open311_keys.html",
        {"form": form, "raw": raw, "keys": keys, "district": district},
    )


@login_required
def overdue(request):
    """超期清单: each department's overdue list per working day, as the job kept it."""
    user = request.user
    lists = selectors.overdue_lists_visible_to(user)
    days = list(lists.values_list("day", flat=True).distinct().order_by("-day")[:30])
    day = request.GET.get("day") or (days[0].isoformat() if days else "")
    shown = [entry for entry in lists if entry.day.isoformat() == day] if day else []
    return render(request, "services/overdue.html", {"lists": shown, "days": days, "day": day})


@login_required
def metrics_page(request):
    """三率, on-time rate and handling time by group, with a weekly trend; Excel export."""
    from services import metrics

    user = request.user
    if not metrics.may_see_metrics(user):
        raise PermissionDenied(_("您无权查看诉求统计。"))
    group = request.GET.get("group", "department")
    group = group if group in metrics.GROUPS else "department"
    try:
        days = int(request.GET.get("days", 30))
    except ValueError:
        days = 30
    days = days if days in metrics.PERIODS else 30
    data = metrics.metrics(user, group=group, days=days)
    if request.GET.get("format") == "xlsx":
        return _metrics_xlsx(data, group, days)
    chart = {
        "labels": [row["label"] for row in data["rows"]],
        "response": [row["response_rate"] for row in data["rows"]],
        "resolution": [row["resolution_rate"] for row in data["rows"]],
        "satisfaction": [row["satisfaction_rate"] for row in data["rows"]],
        "weeks": [row["label"] for row in data["trend"]],
        "weekly_total": [row["total"] for row in data["trend"]],
        "weekly_satisfaction": [row["satisfaction_rate"] for row in data["trend"]],
        "weekly_on_time": [row["on_time_rate"] for row in data["trend"]],
    }
    return render(
        request,
        "services/metrics.html",
        {
            "data": data,
            "chart": chart,
            "group": group,
            "days": days,
            "groups": [(k, v[1]) for k, v in metrics.GROUPS.items()],
            "periods": list(metrics.PERIODS.items()),
            "columns": metrics.COLUMNS,
        },
    )


def _metrics_xlsx(data, group, days):
    from io import BytesIO

    from django.http import HttpResponse

    from core.exports import SafeWorkbook
    from services import metrics

    book = SafeWorkbook()
    sheet = book.active
    sheet.title = "三率统计"
    sheet.append([str(label) for _key, label in metrics.COLUMNS])
    for row in [*data["rows"], data["total"]]:
        sheet.append([row[key] for key, _label in metrics.COLUMNS])
    trend = book.create_sheet("按周趋势")
    trend.append([str(label) for _key, label in metrics.COLUMNS])
    for row in data["trend"]:
        trend.append([row[key] for key, _label in metrics.COLUMNS])
    buffer = BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="service-metrics-{group}-{days}d.xlsx"'
    return response
