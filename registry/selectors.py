"""Scoped reads of the registry: every list a page or the API shows comes from here."""

import datetime
from dataclasses import dataclass
from dataclasses import field as dc_field

from django.db.models import Q, QuerySet
from django.utils import timezone

from core import selectors as core_selectors
from core.collation import in_pinyin_order
from core.models import AuditEvent, Department, Person, Place, Role
from core.rules import assignments_of, officer_departments
from registry import defaults, policies
from registry.models import (
    Building,
    Conflict,
    Fact,
    House,
    Household,
    ImportBatch,
    ImportSource,
    ReportColumn,
    ReportForm,
    Residence,
    SharingGrant,
)


def districts_of(user) -> list[Place]:
    """The districts the user works in (every district for a superuser)."""
    return list(core_selectors.districts_of(user))


def departments_acting_for(user, roles) -> QuerySet[Department]:
    """Departments the user may act for: their own as an officer; all of a district where they
    hold one of `roles`."""
    active = Department.objects.filter(is_active=True)
    if user.is_superuser:
        return active
    lead = [a.place.pk for a in assignments_of(user) if a.role in roles]
    own = [d.pk for d in officer_departments(user)]
    return active.filter(district_id__in=lead) | Department.objects.filter(pk__in=own)


def residents_visible_to(user) -> QuerySet[Residence]:
    """Residences in the places the user serves (registry.view_residence:
    registry.policies.visible_residences). Every list of residents and the person page read it,
    so what a list links opens."""
    return policies.visible_residences(user)


def buildings_visible_to(user) -> QuerySet[Building]:
    """Buildings in the places the user serves."""
    return policies.in_places_served(user, Building.objects.select_related("community", "grid"))


@dataclass
class HouseRow:
    house: House
    households: list  # registered at this house
    residents: list  # Residence rows of people actually living here


def houses_of(building: Building) -> list[HouseRow]:
    """A building's houses (by unit and room), the households registered at each and the
    people living in each (reach the building through buildings_visible_to first)."""
    houses = list(
        House.objects.filter(building=building)
        .select_related("unit")
        .order_by("unit__number", "number", "address")
    )
    households: dict[int, list] = {}
    for h in Household.objects.filter(house__in=houses).order_by("number"):
        households.setdefault(h.house_id, []).append(h)
    living: dict[int, list] = {}
    for r in (
        Residence.objects.filter(house__in=houses)
        .select_related("person", "household")
        .order_by("household__number", in_pinyin_order("person__name"))
    ):
        living.setdefault(r.house_id, []).append(r)
    return [HouseRow(h, households.get(h.pk, []), living.get(h.pk, [])) for h in houses]


def conflicts_for(user) -> QuerySet[Conflict]:
    """Open conflicts this user settles: their department's fields, or their community's."""
    return policies.settleable_conflicts(user).filter(status=Conflict.Status.OPEN)


def import_sources_for(user) -> QuerySet[ImportSource]:
    return policies.importable_sources(user)


def batches_visible_to(user) -> QuerySet[ImportBatch]:
    """The batches of the import sources the user may import for."""
    qs = ImportBatch.objects.select_related("source__department", "created_by")
    return policies.of_district_or_department(qs, user, {Role.ADMIN}, "source__department")


def reports_visible_to(user) -> QuerySet[ReportForm]:
    return policies.visible_reports(user)


def grants_visible_to(user) -> QuerySet[SharingGrant]:
    qs = SharingGrant.objects.select_related("department").prefetch_related("fields")
    return policies.of_district_or_department(qs, user, policies.DISTRICT_LEADS | {Role.AUDITOR})


# ---------------------------------------------------------------- one-table reports


@dataclass
class Cell:
    key: str
    value: str = ""
    source: str = ""
    missing: bool = True


@dataclass
class Row:
    person: Person
    residence: Residence
    cells: list[Cell] = dc_field(default_factory=list)

    @property
    def missing(self) -> int:
        return sum(1 for c in self.cells if c.missing)


def _years_ago(today: datetime.date, years: int) -> datetime.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def population(report: ReportForm, scope: QuerySet[Residence]) -> QuerySet[Residence]:
    """The report's statistical population within `scope` (already limited to the viewer)."""
    spec = report.population or {}
    today = timezone.localdate()
    qs = scope.filter(district=report.district)
    tags = spec.get("tags", [])
    if "elderly" in tags:
        qs = qs.filter(person__birth_date__lte=_years_ago(today, 60))
    if "minor" in tags:
        qs = qs.filter(person__birth_date__gt=_years_ago(today, 18))
    if spec.get("min_age") is not None:
        qs = qs.filter(person__birth_date__lte=_years_ago(today, spec["min_age"]))
    if spec.get("max_age") is not None:
        qs = qs.filter(person__birth_date__gt=_years_ago(today, spec["max_age"] + 1))
    for tag in tags:
        if tag in defaults.DERIVED_TAGS:
            continue
        qs = qs.filter(
            person__facts__field__key=tag,
            person__facts__is_current=True,
            person__facts__value="是",
        )
    return qs.order_by(
        "community__code", "household__number", in_pinyin_order("person__name"), "pk"
    )


def report_rows(district: Place, fields: list, residences: list[Residence]) -> list[Row]:
    """The cells of these fields for these residences: every value the registry holds, with its
    source; the rest marked missing, for the community to fill."""
    person_ids = [r.person_id for r in residences]
    keys = {f.pk: f.key for f in fields if f.district_id == district.pk}
    # Plain tuples, not Fact objects: a community's whole table is tens of thousands of cells.
    facts = {
        (person_id, keys[field_id]): (value, label)
        for person_id, field_id, value, label in Fact.objects.filter(
            person_id__in=person_ids, field_id__in=list(keys), is_current=True
        ).values_list("person_id", "field_id", "value", "source_label")
    }
    rows = []
    for residence in residences:
        person = residence.person
        row = Row(person, residence)
        for field in fields:
            key = field.key
            fact = facts.get((person.pk, key))
            if fact is not None:
                row.cells.append(Cell(key, fact[0], fact[1], False))
            elif key in CORE_READERS and CORE_READERS[key](residence):
                row.cells.append(Cell(key, CORE_READERS[key](residence), "人员登记", False))
            else:
                row.cells.append(Cell(key))
        rows.append(row)
    return rows


CORE_READERS = {
    "name": lambda r: r.person.name,
    "gender": lambda r: {"M": "男", "F": "女"}.get(r.person.gender, ""),
    "birth_date": lambda r: r.person.birth_date.isoformat() if r.person.birth_date else "",
    "id_number": lambda r: r.person.id_number_masked,
    "phone": lambda r: r.person.mobile_masked,
    "household_no": lambda r: r.household.number if r.household_id else "",
    "relation": lambda r: r.relation,
    "registered_address": lambda r: r.registered_address,
    "actual_address": lambda r: r.actual_address,
    "grid": lambda r: r.grid.name if r.grid_id else "",
}


def report_scope(user, report: ReportForm) -> QuerySet[Residence]:
    """Whose rows a user sees in a report: the department and district leads see the district;
    street, community and grid workers their own place."""
    if user.is_superuser or report.department in officer_departments(user, report.district):
        return Residence.objects.filter(district=report.district).select_related(
            "person", "community", "grid", "household"
        )
    leads = policies.lead_districts(user)
    if any(p.pk == report.district_id for p in leads):
        return Residence.objects.filter(district=report.district).select_related(
            "person", "community", "grid", "household"
        )
    return residents_visible_to(user)


# ---------------------------------------------------------------- a person's own data


def facts_about(person: Person) -> QuerySet[Fact]:
    return (
        Fact.objects.filter(person=person)
        .select_related("field", "source")
        .order_by("field__order", "-is_current", "-recorded_at")
    )


def reads_of(person: Person) -> QuerySet[AuditEvent]:
    """Who read this person's data in full or through a sharing grant, with the purpose."""
    return AuditEvent.objects.filter(object_type="core.person", object_id=str(person.pk)).filter(
        Q(action__startswith="person.reveal") | Q(action="registry.shared_read")
    )


# ---------------------------------------------------------------- for other apps


@dataclass
class FormFields:
    """A registered form and the labels (field names and aliases) of what it collects."""

    form_id: int
    name: str
    department: str
    labels: set[str]


def report_forms_in(district: Place) -> list[FormFields]:
    """The forms the district keeps (not stopped or merged), with every label each collects.

    Admission compares a new form's fields against these, so a department cannot add a second
    form for facts another form already collects."""
    # Plain tuples, not model objects: a district keeps hundreds of forms with thousands of
    # columns, and admission reads them on every application.
    forms = {
        pk: FormFields(pk, name, department, set())
        for pk, name, department in ReportForm.objects.filter(
            district=district, status=ReportForm.Status.KEPT
        ).values_list("pk", "name", "department__name")
    }
    columns = ReportColumn.objects.filter(
        report__district=district, report__status=ReportForm.Status.KEPT
    ).values_list("report_id", "title", "field__label", "field__aliases")
    for report_id, title, label, aliases in columns.iterator(chunk_size=5000):
        form = forms.get(report_id)  # None: registered between the two reads
        if form is None:
            continue
        form.labels.update((title, label, *aliases.split()))
    return list(forms.values())


def status_tags_of(person: Person) -> set[str]:
    """The status tags (living alone, disabled, 低保, …) currently held as "是" for a person,
    as field keys; age-derived tags are not included (compute them from the birth date)."""
    return set(
        Fact.objects.filter(
            person=person, is_current=True, field__is_tag=True, value="是"
        ).values_list("field__key", flat=True)
    )


# ---------------------------------------------------------------- the district's one page


def report_columns_by_source(district: Place) -> dict:
    """The district's kept one-table reports, column by column: {"system": n, "hand": n}. A
    column is filled by the system when a department owns its field (one source, imported) or
    core holds it (CORE_READERS); by hand when nobody does (社区采集: the community types it)."""
    counts = {"system": 0, "hand": 0}
    for owner_id, key in ReportColumn.objects.filter(
        report__district=district, report__status=ReportForm.Status.KEPT
    ).values_list("field__owner_id", "field__key"):
        counts["system" if owner_id or key in CORE_READERS else "hand"] += 1
    return counts


def cells_typed(place: Place, periods) -> list[int]:
    """Report cells communities of `place` typed by hand in each of `periods` ([start, end)
    pairs of aware datetimes), in one query: one audit event of registry.report_fill each
    (registry.services.reports.report_fill records them)."""
    from django.db.models import Count

    counts = AuditEvent.objects.filter(
        action="registry.report_fill",
        place_path__startswith=place.path,
        at__gte=min(start for start, _end in periods),
        at__lt=max(end for _start, end in periods),
    ).aggregate(
        **{
            f"p{i}": Count("id", filter=Q(at__gte=start, at__lt=end))
            for i, (start, end) in enumerate(periods)
        }
    )
    return [counts[f"p{i}"] for i in range(len(periods))]
