"""The service catalogue and its items, and the district's Open311 keys."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core.refusals import attempt, refusals_shown_on
from services import selectors
from services import services as request_services
from services.models import Category


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
    departments = Department.objects.functional().filter(district=district, is_active=True)
    form = ItemNewForm(
        request.POST or None,
        departments=departments,
        initial={
            "acceptance_days": 1,
            "applicant": "anyone",
            "handling_level": "department",
            "category": Category.HELP,
            "fields_json": [],
        },
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["fields"] = data.pop("fields_json") or []
        with refusals_shown_on(form):
            item = request_services.item_create(actor=user, district=district, **data)
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

        departments = Department.objects.functional().filter(district=item.district, is_active=True)
        initial = {
            name: getattr(item, name)
            for name in ("name", "category", "group", "keywords", "description", "materials",
                         "lead_department", "acceptance_days", "deadline_days", "applicant",
                         "is_active", "sensitive", "handling_level")
        }  # fmt: skip
        initial["co_departments"] = list(item.co_departments.all())
        initial["fields_json"] = item.fields
        form = ItemForm(request.POST or None, departments=departments, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = dict(form.cleaned_data)
            data["fields"] = data.pop("fields_json") or []
            if attempt(
                request, request_services.item_update, on_form=form, done_message=_("事项“%(n)s”已更新：此后提交的诉求按新的设置受理和办理。") % {"n": item.name},
                actor=user, item=item, **data,
            ):  # fmt: skip
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
        {
            "item": item,
            "form": form,
            "versions": versions if can_edit else [],
            "can_submit": selectors.submit_places(request.user).exists(),
        },
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
    if request.method == "POST" and request.POST.get("revoke"):
        key = get_object_or_404(Open311Key, pk=request.POST["revoke"], district=district)
        if attempt(
            request, request_services.open311_key_revoke, on_form=form,
            done_message=_("已撤销。"), actor=user, key=key,
        ):  # fmt: skip
            return redirect("services:open311_keys")
    elif request.method == "POST":
        form = Open311KeyForm(request.POST)
        created = form.is_valid() and attempt(
            request, request_services.open311_key_create, on_form=form,
            actor=user, district=district, name=form.cleaned_data["name"],
        )  # fmt: skip
        if created:
            _key, raw = created.value
            form = Open311KeyForm()
    keys = Open311Key.objects.filter(district=district).order_by("-created_at")
    return render(
        request,
        "services/open311_keys.html",
        {"form": form, "raw": raw, "keys": keys, "district": district},
    )
