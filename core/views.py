"""Core pages. Thin: parse the form, call a service, show the result or the error."""

import datetime
from functools import partial

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import calendar as workcal
from core import personal_data, selectors, services
from core.collation import in_pinyin_order, prefix_range
from core.exports import csv_writer
from core.forms import (
    AuditFilterForm,
    ChildPlaceForm,
    DepartmentForm,
    LoginForm,
    MergePlaceForm,
    MovePlaceForm,
    PasswordChangeForm,
    PersonForm,
    PlaceForm,
    RevealForm,
    RoleAssignForm,
    TokenForm,
)
from core.models import CHILD_LEVEL, ApiToken, Place, PlaceLevel, Role
from core.paging import keyset_page
from core.refusals import REFUSALS, refusal_text, refusals_shown_on, show_refusal
from core.rules import grantable_roles
from core.validation import search_query


def service_errors(form, error: ValidationError | PermissionDenied) -> None:
    """Deprecated: use core.refusals (kept until every app's views use it)."""
    show_refusal(form, error)


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


def healthz(request):
    """Liveness for load balancers: answers without touching the session."""
    return HttpResponse("ok", content_type="text/plain")


# ---------------------------------------------------------------- places


def _visible_place(user, pk) -> Place:
    place = get_object_or_404(Place, pk=pk)
    if not user.has_perm("core.view_place", place):
        # Outside the user's scope the place does not exist for them.
        raise_not_found()
    return place


def raise_not_found():
    from django.http import Http404

    raise Http404(_("没有找到，或您无权查看。"))


@login_required
def place_list(request):
    places = selectors.places_visible_to(request.user)
    query = search_query(request)
    level = request.GET.get("level", "")
    if query:
        places = places.filter(Q(name__contains=query) | Q(code__startswith=query))
    if level in PlaceLevel.values:
        places = places.filter(level=level)
    if not query and not level:
        places = places.filter(level__in=[PlaceLevel.DISTRICT, PlaceLevel.STREET])
    page = Paginator(places.order_by("code"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "core/place_list.html",
        {"page": page, "q": query, "level": level, "levels": PlaceLevel.choices},
    )


@login_required
def place_detail(request, pk):
    place = _visible_place(request.user, pk)
    children = selectors.places_visible_to(request.user).filter(parent=place).order_by("code")
    user = request.user
    child_level = CHILD_LEVEL.get(place.level)
    can_add = child_level is not None and (
        user.has_perm("core.add_grid", place)
        if child_level == PlaceLevel.GRID
        else user.has_perm("core.restructure_place", place)
    )
    forms = {}
    handler = _place_actions(user, place).get(request.POST.get("action", ""))
    if request.method == "POST" and handler:
        key, make_form, perform = handler
        form = forms[key] = make_form(request.POST)
        if form.is_valid():
            with refusals_shown_on(form):
                target, message = perform(form.cleaned_data)
                messages.success(request, message)
                return redirect("place_detail", pk=target.pk)
    can_change = user.has_perm("core.change_place", place)
    can_restructure = place.parent_id is not None and user.has_perm("core.restructure_place", place)
    forms.setdefault(
        "edit",
        PlaceForm(
            initial={
                "name": place.name,
                "population": place.population,
                "households": place.households,
            }
        ),
    )
    forms.setdefault("add", ChildPlaceForm(initial={"code": _suggest_child_code(place)}))
    if can_restructure:
        forms.setdefault("move", MovePlaceForm(parents=_move_targets(user, place)))
        forms.setdefault("merge", MergePlaceForm(siblings=_merge_targets(place)))
    return render(
        request,
        "core/place_detail.html",
        {
            "place": place,
            "ancestors": place.ancestors(),
            "children": children,
            "child_level": PlaceLevel(child_level).label if child_level else "",
            "events": place.events.select_related("actor", "old_parent", "new_parent")[:30],
            "can_change": can_change and place.is_active,
            "can_add": can_add and place.is_active,
            "can_restructure": can_restructure and place.is_active,
            "forms": forms,
            "open_form": request.POST.get("action", "") if request.method == "POST" else "",
        },
    )


def _place_actions(user, place):
    """POST action → (form key, form factory, perform(cleaned data) -> (page to show, message))."""

    def update(data):
        services.place_update(actor=user, place=place, **data)
        return place, _("已保存。")

    def add_child(data):
        child = services.place_create(actor=user, parent=place, **data)
        return place, _("已新建“%(name)s”。") % {"name": child.name}

    def move(data):
        services.place_move(actor=user, place=place, **data)
        return place, _("已调整隶属关系。")

    def merge(data):
        into = services.place_merge(actor=user, place=place, **data)
        return into, _("已并入“%(name)s”。") % {"name": into.name}

    return {
        "update": ("edit", PlaceForm, update),
        "add_child": ("add", ChildPlaceForm, add_child),
        "move": ("move", partial(MovePlaceForm, parents=_move_targets(user, place)), move),
        "merge": ("merge", partial(MergePlaceForm, siblings=_merge_targets(place)), merge),
    }


def _move_targets(user, place):
    parent_level = {v: k for k, v in CHILD_LEVEL.items()}.get(place.level)
    return (
        selectors.places_visible_to(user)
        .filter(level=parent_level, district_id=place.district_id, is_active=True)
        .exclude(pk=place.parent_id)
        .order_by("code")
    )


def _merge_targets(place):
    return Place.objects.filter(
        parent_id=place.parent_id, level=place.level, is_active=True
    ).exclude(pk=place.pk)


def _suggest_child_code(place) -> str:
    """The next free code under `place`, so staff rarely type one by hand."""
    level = CHILD_LEVEL.get(place.level)
    if level is None:
        return ""
    codes = list(Place.objects.filter(parent=place).values_list("code", flat=True))
    if level == PlaceLevel.GRID:
        used = [int(c[18:]) for c in codes if len(c) == 20]
        return f"000000{place.code}{max(used, default=0) + 1:02d}"
    used = [int(c[-3:]) for c in codes if c[-3:].isdigit()]
    return f"{place.code}{max(used, default=0) + 1:03d}"


# ---------------------------------------------------------------- departments


@login_required
def department_list(request):
    user = request.user
    departments = selectors.departments_visible_to(user).select_related("district")
    districts = [
        d for d in selectors.districts_of(user) if user.has_perm("core.manage_departments", d)
    ]
    form = DepartmentForm()
    edit_error = ""
    if request.method == "POST":
        if not districts:
            raise PermissionDenied(_("您无权管理职能部门。"))
        try:
            if request.POST.get("action") == "update":
                department = get_object_or_404(departments, pk=request.POST.get("department"))
                services.department_update(
                    actor=user,
                    department=department,
                    name=request.POST.get("name", ""),
                    is_active=request.POST.get("is_active") == "1",
                )
                messages.success(request, _("已保存“%(name)s”。") % {"name": department.name})
                return redirect("department_list")
            form = DepartmentForm(request.POST)
            if form.is_valid():
                services.department_create(actor=user, district=districts[0], **form.cleaned_data)
                messages.success(request, _("已新建部门。"))
                return redirect("department_list")
        except ValidationError as error:
            if form.is_bound:
                service_errors(form, error)
            else:
                edit_error = " ".join(error.messages)
    return render(
        request,
        "core/department_list.html",
        {
            "departments": departments,
            "form": form if districts else None,
            "can_edit": bool(districts),
            "edit_error": edit_error,
        },
    )


# ---------------------------------------------------------------- people and roles


@login_required
def person_list(request):
    if not request.user.has_perm("core.use_staff_pages"):
        raise PermissionDenied(_("此页面仅供工作人员使用。"))
    people = (
        selectors.people_visible_to(request.user)
        .select_related("place", "account")
        .annotate(name_order=in_pinyin_order("name"))
    )
    query = search_query(request)
    if query:
        # Names match from their first character (surname first): a slice of the name index
        # at any size; ID and mobile numbers match whole.
        lookup = prefix_range("name_order", query) & Q(name__startswith=query)
        for finder in (personal_data.id_number_hash, personal_data.mobile_hash):
            try:
                # Exact ID or mobile numbers are found by keyed hash, never by plaintext.
                field = (
                    "id_number_hash" if finder is personal_data.id_number_hash else "mobile_hash"
                )
                lookup |= Q(**{field: finder(query)})
            except ValidationError:
                pass
        people = people.filter(lookup)
    # Keyset pages by name in pinyin order: a district's million residents are never counted
    # or skipped over.
    page = keyset_page(
        people,
        order=("name_order", "pk"),
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
        params={"q": query},
    )
    can_register = any(grantable_roles(request.user, a.place) for a in _assignments(request))
    return render(
        request, "core/person_list.html", {"page": page, "q": query, "can_register": can_register}
    )


def _assignments(request):
    from core.rules import assignments_of

    return assignments_of(request.user)


def _registration_places(user):
    return [
        p
        for p in selectors.places_visible_to(user)
        .filter(
            is_active=True, level__in=[PlaceLevel.STREET, PlaceLevel.COMMUNITY, PlaceLevel.GRID]
        )
        .order_by("code")[:2000]
        if grantable_roles(user, p)
    ]


@login_required
def person_register(request):
    user = request.user
    places = _registration_places(user)
    if not places and not user.is_superuser:
        raise PermissionDenied(_("您无权登记人员。"))
    roles = set().union(*(grantable_roles(user, p) for p in places)) if places else set(Role)
    place_qs = Place.objects.filter(pk__in=[p.pk for p in places])
    form = PersonForm(
        request.POST or None,
        places=place_qs,
        departments=selectors.departments_visible_to(user),
        roles=roles,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusals_shown_on(form):
            person = services.person_register(
                actor=user,
                place=data["place"],
                name=data["name"],
                id_number=data["id_number"],
                mobile=data["mobile"],
                address=data["address"],
                username=data["username"],
                password=data["password"],
                role=data["role"] or None,
                department=data["department"],
            )
            messages.success(request, _("已登记“%(name)s”。") % {"name": person.name})
            return redirect("person_detail", pk=person.pk)
    return render(request, "core/person_form.html", {"form": form})


@login_required
def person_detail(request, pk):
    user = request.user
    person = get_object_or_404(selectors.people_visible_to(user).select_related("place"), pk=pk)
    revealed = {}
    reveal_form = RevealForm()
    places = (
        [
            p
            for p in selectors.places_visible_to(user).filter(is_active=True)
            if grantable_roles(user, p)
        ][:2000]
        if person.account_id
        else []
    )
    roles = set().union(*(grantable_roles(user, p) for p in places)) if places else set()
    action = request.POST.get("action") if request.method == "POST" else None
    assign_form = RoleAssignForm(
        request.POST if action == "assign" else None,
        places=Place.objects.filter(pk__in=[p.pk for p in places]),
        departments=selectors.departments_visible_to(user),
        roles=roles,
    )
    if action == "reveal":
        reveal_form = RevealForm(request.POST)
    if action:
        with refusals_shown_on(reveal_form if action == "reveal" else assign_form):
            if action == "reveal":
                if reveal_form.is_valid():
                    field = reveal_form.cleaned_data["field"]
                    revealed[field] = personal_data.reveal(
                        actor=user,
                        person=person,
                        field=field,
                        purpose=reveal_form.cleaned_data["purpose"],
                    )
            elif action == "assign" and person.account_id:
                if assign_form.is_valid():
                    services.role_assign(
                        actor=user, user=person.account, **assign_form.cleaned_data
                    )
                    messages.success(request, _("已分配角色。"))
                    return redirect("person_detail", pk=person.pk)
            elif action == "end_role" and person.account_id:
                assignment = get_object_or_404(
                    person.account.role_assignments.active(), pk=request.POST.get("assignment")
                )
                services.role_end(actor=user, assignment=assignment)
                messages.success(request, _("已撤销角色。"))
                return redirect("person_detail", pk=person.pk)
    assignments = (
        person.account.role_assignments.active().select_related("place", "department")
        if person.account_id
        else []
    )
    return render(
        request,
        "core/person_detail.html",
        {
            "person": person,
            "revealed": revealed,
            "reveal_form": reveal_form,
            "can_reveal": user.has_perm("core.view_person_full", person),
            "assign_form": assign_form if roles else None,
            "assignments": [(a, a.role in grantable_roles(user, a.place)) for a in assignments],
        },
    )


@login_required
def my_data_access(request):
    """A resident (or anyone) sees what is held about them and who has read it in full."""
    person = getattr(request.user, "person", None)
    reads = []
    if person is not None:
        from core.models import AuditEvent

        reads = AuditEvent.objects.filter(
            object_type="core.person", object_id=str(person.pk), action__startswith="person.reveal"
        )[:100]
    return render(request, "core/my_data.html", {"person": person, "reads": reads})


# ---------------------------------------------------------------- audit log


def _filtered_audit_events(request):
    if not request.user.has_perm("core.view_audit_log"):
        raise PermissionDenied(_("只有审计员和系统管理员可以查看操作记录。"))
    form = AuditFilterForm(request.GET or None)
    events = selectors.audit_events_visible_to(request.user)
    if form.is_valid():
        data = form.cleaned_data
        if data["action"]:
            events = events.filter(action__startswith=data["action"].strip())
        if data["actor"]:
            events = events.filter(actor_name__contains=data["actor"].strip())
        tz = timezone.get_current_timezone()
        if data["since"]:
            events = events.filter(
                at__gte=datetime.datetime.combine(data["since"], datetime.time.min, tz)
            )
        if data["until"]:
            events = events.filter(
                at__lt=datetime.datetime.combine(
                    data["until"] + datetime.timedelta(days=1), datetime.time.min, tz
                )
            )
    return form, events


@login_required
def audit_log(request):
    form, events = _filtered_audit_events(request)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "core/audit_log.html", {"form": form, "page": page, "query": query.urlencode()}
    )


class _Echo:
    def write(self, value):
        return value


@login_required
def audit_export(request):
    """The filtered audit log as CSV (UTF-8 with BOM so Excel opens Chinese correctly), streamed."""
    form, events = _filtered_audit_events(request)
    writer = csv_writer(_Echo())
    header = [
        _("时间"),
        _("操作人"),
        _("操作"),
        _("对象"),
        _("对象编号"),
        _("变更"),
        _("用途"),
        _("来源地址"),
    ]

    def rows():
        yield "\ufeff" + writer.writerow(header)
        for event in events.iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S"),
                    event.actor_name,
                    event.action,
                    event.object_repr,
                    f"{event.object_type}:{event.object_id}",
                    event.changes,
                    event.purpose,
                    event.client_ip or "",
                ]
            )

    with_audit_of_export(request)
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="linli-audit.csv"'
    return response


def with_audit_of_export(request):
    from django.db import transaction

    from core import audit

    with transaction.atomic():
        audit.record(
            actor=request.user, action="audit.export", changes={"filters": request.GET.dict()}
        )


# ---------------------------------------------------------------- calendar


@login_required
def calendar_page(request):
    if not request.user.has_perm("core.manage_calendar"):
        raise PermissionDenied(_("只有系统管理员可以维护工作日历。"))
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    year = min(max(year, 2004), 2100)
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "set_day":
                try:
                    day = datetime.date.fromisoformat(request.POST.get("date", ""))
                except ValueError:
                    raise ValidationError(_("日期格式不正确，应为YYYY-MM-DD。")) from None
                services.calendar_set_day(
                    actor=request.user,
                    date=day,
                    is_working_day=request.POST.get("is_working_day") == "1",
                    note=request.POST.get("note", ""),
                )
                year = day.year
                messages.success(request, _("已保存%(date)s。") % {"date": day.isoformat()})
            elif request.POST.get("action") == "year_entered":
                services.calendar_mark_year_entered(
                    actor=request.user, year=year, source=request.POST.get("source", "")
                )
                messages.success(request, _("已确认%(year)s年安排。") % {"year": year})
            return redirect(f"{request.path}?year={year}")
        except REFUSALS as exc:
            error = refusal_text(exc)
    return render(
        request,
        "core/calendar.html",
        {
            "year": year,
            "status": workcal.calendar_status(year),
            "missing": workcal.years_needing_schedule(),
            "error": error,
        },
    )


# ---------------------------------------------------------------- account


@login_required
def account(request):
    action = request.POST.get("action") if request.method == "POST" else None
    token_form = TokenForm(request.POST if action == "token" else None)
    password_form = PasswordChangeForm(request.POST if action == "password" else None)
    new_secret = ""
    if action:
        with refusals_shown_on(password_form if action == "password" else token_form):
            if action == "token":
                if token_form.is_valid():
                    _token, new_secret = services.api_token_create(
                        actor=request.user, name=token_form.cleaned_data["name"]
                    )
            elif action == "revoke":
                token = get_object_or_404(ApiToken, pk=request.POST.get("token"), user=request.user)
                services.api_token_revoke(actor=request.user, token=token)
                messages.success(request, _("令牌已撤销。"))
                return redirect("account")
            elif action == "password":
                if password_form.is_valid():
                    services.password_change(
                        actor=request.user, user=request.user, **password_form.cleaned_data
                    )
                    from django.contrib.auth import update_session_auth_hash

                    update_session_auth_hash(request, request.user)
                    messages.success(request, _("密码已修改。"))
                    return redirect("account")
    return render(
        request,
        "core/account.html",
        {
            "tokens": request.user.api_tokens.filter(revoked_at__isnull=True),
            "token_form": token_form,
            "password_form": password_form,
            "new_secret": new_secret,
        },
    )


@login_required
def notifications(request):
    if request.method == "POST":
        services.notifications_mark_read(
            actor=request.user, ids=[int(i) for i in request.POST.getlist("id") if i.isdigit()]
        )
        return redirect("notifications")
    items = request.user.notifications.all()[:200]
    return render(request, "core/notifications.html", {"items": items})


@require_POST
@login_required
def notifications_read_all(request):
    ids = list(selectors.unread_notifications(request.user).values_list("pk", flat=True))
    services.notifications_mark_read(actor=request.user, ids=ids)
    return redirect("notifications")
