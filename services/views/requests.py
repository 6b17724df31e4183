"""The request pages: filing one (resident, 代办, 巡查), following it, taking its steps."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import clock, csp, images
from core.refusals import refusals_shown_on
from core.selectors import people_visible_to
from services import property_hooks, search, selectors, steps
from services import services as request_services
from services.forms import RequestForm
from services.models import Application, Channel, Level, Rating, State
from services.rules import officer_departments
from services.views.feedback import done_message


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
            "handles_locally": selectors.handles_locally(user),
            "acts_for_company": bool(property_hooks.companies_of(user)),
            "can_intake": selectors.intake_places(user).exists(),
            "is_officer": bool(officer_departments(user)),
            # 我要反映 is offered only to those whose submit page opens (an auditor's does not).
            "can_submit": selectors.submit_places(user).exists(),
            "can_search": search.may_search(user),
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


def _submit_page(request, *, channel: str, places, title: str, refusal: str, intake: bool = False):
    """The page of one channel: refused (with ``refusal``) to a user with no place to file in;
    first the choice of item, then the form of the item chosen (or a free one)."""
    if not places.exists():
        raise PermissionDenied(refusal)
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
        with refusals_shown_on(form):
            created = _submit(user, form, item=item, channel=channel, intake=intake)
            messages.success(request, _("已提交，编号%(number)s。") % {"number": created.number})
            return redirect("services:request_detail", pk=created.pk)
    return render(
        request,
        "services/request_form.html",
        {"form": form, "item": item, "title": title, "channel": channel, "map": map_options()},
    )


def _submit(user, form, *, item, channel: str, intake: bool):
    """File what the form says; 代办 by mobile number finds the resident among those the user
    serves."""
    data = form.cleaned_data
    resident = user.person if channel == Channel.H5 and hasattr(user, "person") else None
    if intake and data.get("resident_mobile"):
        from core.personal_data import mobile_hash

        resident = (
            people_visible_to(user)
            .filter(mobile_hash=mobile_hash(data["resident_mobile"].strip()))
            .first()
        )
        if resident is None:
            raise ValidationError(_("在您服务的范围内没有找到这个手机号的居民。"))
    return request_services.request_submit(
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


@login_required
def request_new(request):
    return _submit_page(
        request, channel=Channel.H5, places=selectors.submit_places(request.user),
        title=_("我要反映"), refusal=_("您还没有所属的社区，不能在线提交诉求。"),
    )  # fmt: skip


@login_required
def intake(request):
    return _submit_page(
        request, channel=Channel.STAFF, places=selectors.intake_places(request.user),
        title=_("代办诉求"), refusal=_("您没有代办诉求的权限。"), intake=True,
    )  # fmt: skip


@login_required
def patrol(request):
    return _submit_page(
        request, channel=Channel.PATROL, places=selectors.patrol_places(request.user),
        title=_("巡查上报"), refusal=_("只有网格员可以巡查上报。"),
    )  # fmt: skip


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
    staff_view = selectors.sees_as_staff(user, req)
    events = selectors.timeline_of(user, req)
    can = {"dispatch": user.has_perm("services.dispatch", req)}  # the routing help
    suggestion, duplicates = None, []
    if can["dispatch"] and req.state in (State.SUBMITTED, State.ACCEPTED):
        from services import routing

        suggestion = routing.suggest(req)
        duplicates = routing.likely_duplicates(req)
    # Routing's department comes preselected only when it is sure enough (its calibrated
    # confidence reaches the district's threshold); an abstention preselects nothing.
    preselect = (
        req.item.lead_department_id
        if req.item_id
        else suggestion.department.pk
        if suggestion and suggestion.department
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
            "whistles": _whistles(req, staff_view),
            "property_routings": _property_routings(req, staff_view),
            "now": timezone.now(),
        },
    )


def _property_routings(req, staff_view: bool) -> list:
    """The request's routing to a property company (转物业) while it is there, for staff."""
    if not staff_view or req.level != Level.PROPERTY:
        return []
    return list(req.property_routings.filter(returned_at__isnull=True).select_related("company"))


def _whistles(req, staff_view: bool) -> list:
    """The street's calls to departments (吹哨) and their reports, for staff; only a request
    handled by a street can have them."""
    if not staff_view or req.level != Level.STREET:
        return []
    return list(req.whistles.select_related("department"))


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
    """One form of the request page: the inputs of its steps (an input shared by several steps
    appears once; it is required when every step that takes it requires it), one button each."""
    first = members[0]
    suffix = f"-{application.pk}" if application else ""
    inputs = _form_inputs(group, members, suffix, application)
    context = {
        "user": user, "req": req, "departments": departments, "preselect": preselect,
        "public_text": public_text, "application": application,
    }  # fmt: skip
    for entry in inputs.values():
        entry["required"] = entry["required_by"] == entry["steps"]
        entry.update(_input_values(entry["spec"], **context))
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
        "multipart": any(i["spec"].kind == steps.PHOTO for i in inputs.values()),
        "box": f"{group}-box",
        "title": first.title or first.label,
        "help": first.help,
        "collapsed": first.collapsed,
        "application": application,
        "inputs": list(inputs.values()),
        "buttons": buttons,
    }


def _form_inputs(group, members, suffix: str, application) -> dict[str, dict]:
    """The inputs of a form's steps by name, each with the steps that take it and those that
    require it (a department is asked on an application only for an objection)."""
    inputs: dict[str, dict] = {}
    for step in members:
        for spec in step.inputs:
            if (
                spec.kind == steps.DEPARTMENT
                and application is not None
                and application.kind != Application.Kind.OBJECT
            ):
                continue
            entry = inputs.setdefault(
                spec.name,
                {"spec": spec, "id": (spec.dom_id or f"{group}-{spec.name}") + suffix,
                 "steps": set(), "required_by": set()},
            )  # fmt: skip
            entry["steps"].add(step.name)
            if spec.required:
                entry["required_by"].add(step.name)
    return inputs


def _input_values(spec, *, user, req, departments, preselect, public_text, application) -> dict:
    """What an input shows: its choices, the choice selected, or the value filled in."""
    if spec.kind in (steps.DEPARTMENT, steps.DEPARTMENTS):
        return _department_input(spec, req, departments, preselect, application)
    if spec.kind == steps.MERGE_TARGET:
        targets = steps.merge_targets(user, req)[:20]
        return {"choices": [(t.pk, f"{t.number} {t.title}") for t in targets]}
    if spec.kind == steps.RATING:
        return {"choices": Rating.choices}
    if spec.kind == steps.APPLICATION:
        return {"value": application.pk}
    if spec.kind == steps.COMPOUND:
        return {"choices": property_hooks.compounds(req.community_id, clock.today())}
    if spec.kind == steps.WHISTLE:
        reports = steps.reports_to_rate(req)
        return {"choices": [(w.pk, f"{w.department.name}：{w.report[:40]}") for w in reports]}
    if public_text and spec.name == "public_description":
        return {"value": public_text.description}
    if public_text and spec.name == "public_status_notes":
        return {"value": public_text.status_notes}
    return {}


def _department_input(spec, req, departments, preselect, application) -> dict:
    """Departments of the request's district (without the lead where the step excludes it); one
    department comes selected: the one an objection suggested, else the routing's suggestion."""
    shown = {
        "choices": [
            (d.pk, d.name)
            for d in departments
            if not (spec.exclude_lead and d.pk == req.lead_department_id)
        ]
    }
    if spec.kind == steps.DEPARTMENT:
        if application:
            shown["selected"] = application.suggested_department_id
        else:
            shown["selected"] = None if spec.exclude_lead else preselect
    return shown


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
    with refusals_shown_on(request):
        if step is None:
            raise ValidationError(_("未知的操作。"))
        raw = {
            spec.name: post.getlist(spec.name)
            if spec.kind == steps.DEPARTMENTS
            else request.FILES.get(spec.name)
            if spec.kind == steps.PHOTO
            else post.get(spec.name)
            for spec in step.inputs
        }
        state_before = req.state
        step.run(actor=user, request=req, data=steps.clean_input(step, user, req, raw))
        messages.success(request, done_message(step, req.pk, state_before=state_before))
    return redirect("services:request_detail", pk=req.pk)


@login_required
def event_photo(request, pk, event_pk):
    """The photo of one step (the grid worker's answer …), to whoever sees that step."""
    req = _visible(request, pk)
    event = selectors.timeline_of(request.user, req).filter(pk=event_pk).first()
    if event is None or not event.photo:
        raise Http404
    return images.stored_response(event.photo, name_stem=f"photo-{req.pk}-{event.pk}")


@login_required
def request_photo(request, pk):
    req = _visible(request, pk)
    if not req.photo:
        raise Http404
    # The type comes from the stored content, never from the file's name (core.images).
    return images.stored_response(req.photo, name_stem=f"photo-{req.pk}")
