"""Pages for people and their roles, and a resident's own view of who read their data."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core import personal_data, selectors, services
from core.collation import in_pinyin_order, prefix_range
from core.forms import (
    PersonForm,
    RevealForm,
    RoleAssignForm,
)
from core.models import Place, PlaceLevel, Role
from core.paging import keyset_page
from core.refusals import refusals_shown_on
from core.rules import grantable_roles
from core.services.second_factor import confirmed_device
from core.services.sms_second_factor import confirmed_sms_device
from core.validation import search_query

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


def _grantable_places(user, person) -> list[Place]:
    """Where the user may give this person's account a role (none without an account)."""
    if not person.account_id:
        return []
    active = selectors.places_visible_to(user).filter(is_active=True)
    return [p for p in active if grantable_roles(user, p)][:2000]


def _person_action(request, person, action, *, reveal_form, assign_form, revealed):
    """Take the posted action; a redirect when it is done, None to show the page again (with
    the refusal on the form that was posted, or the revealed field)."""
    user = request.user
    with refusals_shown_on(reveal_form if action == "reveal" else assign_form):
        if action == "reveal" and reveal_form.is_valid():
            field = reveal_form.cleaned_data["field"]
            purpose = reveal_form.cleaned_data["purpose"]
            revealed[field] = personal_data.reveal(
                actor=user, person=person, field=field, purpose=purpose
            )
        elif action == "assign" and person.account_id and assign_form.is_valid():
            services.role_assign(actor=user, user=person.account, **assign_form.cleaned_data)
            messages.success(request, _("已分配角色。"))
            return redirect("person_detail", pk=person.pk)
        elif action == "end_role" and person.account_id:
            assignment = get_object_or_404(
                person.account.role_assignments.active(), pk=request.POST.get("assignment")
            )
            services.role_end(actor=user, assignment=assignment)
            messages.success(request, _("已撤销角色。"))
            return redirect("person_detail", pk=person.pk)
        elif action == "reset_second_factor" and person.account_id:
            services.second_factor_remove(actor=user, user=person.account)
            messages.success(request, _("已重置身份验证器，此人下次登录时重新绑定。"))
            return redirect("person_detail", pk=person.pk)
    return None


@login_required
def person_detail(request, pk):
    user = request.user
    person = get_object_or_404(selectors.people_visible_to(user).select_related("place"), pk=pk)
    places = _grantable_places(user, person)
    roles = set().union(*(grantable_roles(user, p) for p in places)) if places else set()
    action = request.POST.get("action") if request.method == "POST" else None
    reveal_form = RevealForm(request.POST if action == "reveal" else None)
    assign_form = RoleAssignForm(
        request.POST if action == "assign" else None,
        places=Place.objects.filter(pk__in=[p.pk for p in places]),
        departments=selectors.departments_visible_to(user),
        roles=roles,
    )
    revealed = {}
    if action:
        forms = {"reveal_form": reveal_form, "assign_form": assign_form}
        done = _person_action(request, person, action, revealed=revealed, **forms)
        if done:
            return done
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
            # A lost authenticator is reset by someone who may grant every role the person holds.
            "can_reset_second_factor": bool(assignments)
            and all(a.role in grantable_roles(user, a.place) for a in assignments)
            and (
                confirmed_device(person.account) is not None
                or confirmed_sms_device(person.account) is not None
            ),
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
