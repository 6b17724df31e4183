"""One-table reports, the forms ledger, data sharing, a resident's own data, organisations."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from admission.testing import admitted_form_item
from core import personal_data
from core import services as core_services
from core.models import AuditEvent, Place
from core.tests.refused import refused
from registry import selectors, services
from registry.models import Fact, LedgerEntry, Organisation, ReportForm, Residence


def dept(d, code):
    return next(x for x in d.departments if x.short_code == code)


def mz(d):
    return d.users["department_officer:own"]


def register_visits(d, **overrides):
    kwargs = dict(
        actor=mz(d), department=dept(d, "mz"), item=admitted_form_item(dept(d, "mz")),
        name="高龄老人走访表",
        field_keys=["name", "id_number", "phone", "elderly_allowance", "living_alone"],
        new_columns=["走访日期"], population={"tags": ["elderly"], "min_age": 80},
    )  # fmt: skip
    kwargs.update(overrides)
    return services.report_register(**kwargs)


def rows_for(report, community=None):
    scope = Residence.objects.filter(district=report.district).select_related(
        "person", "community", "grid", "household"
    )
    if community is not None:
        scope = scope.filter(community=community)
    residences = list(selectors.population(report, scope))
    fields = [c.field for c in report.columns.select_related("field")]
    return selectors.report_rows(report.district, fields, residences)


@pytest.mark.django_db
def test_report_fills_itself_and_leaves_only_missing_cells(filled):
    report = register_visits(filled)
    rows = rows_for(report)
    # Population: 80 or older (born on or before 1946-11-27 minus 20 years … roughly ≤1946).
    assert rows and all(r.person.birth_date.year <= 1946 for r in rows)
    first = next(r for r in rows if r.person.name == "杨磊强")
    cells = {c.key: c for c in first.cells}
    assert cells["name"].value == "杨磊强" and not cells["name"].missing
    assert cells["id_number"].value == "320104********1137"  # masked, never in full
    assert cells["elderly_allowance"].value == "200.00"
    assert "民政局" in cells["elderly_allowance"].source
    assert cells[report.columns.last().field.key].missing  # 走访日期: nobody holds it
    # Only the new column (and data nobody has) is left to the community.
    missing_keys = {c.key for r in rows for c in r.cells if c.missing}
    assert report.columns.last().field.key in missing_keys
    assert "name" not in missing_keys and "id_number" not in missing_keys
    assert LedgerEntry.objects.filter(report=report, action="registered").exists()


@pytest.mark.django_db
def test_report_refuses_columns_already_held_and_says_where(filled):
    with pytest.raises(ValidationError) as info:
        register_visits(filled, name="另一张表", new_columns=["身份证号", "联系电话", "走访日期"])
    message = "；".join(info.value.messages)
    assert "“身份证号”已由公安分局掌握" in message and "公民身份号码" in message
    assert "“联系电话”已由社区采集掌握" in message
    assert not ReportForm.objects.filter(name="另一张表").exists()


@pytest.mark.django_db
def test_report_register_bad_input(filled):
    with pytest.raises(ValidationError):
        register_visits(filled, name="")
    with pytest.raises(ValidationError):
        register_visits(filled, name="x", field_keys=["nope"])
    with pytest.raises(ValidationError):
        register_visits(filled, name="x", field_keys=[], new_columns=[])
    with pytest.raises(ValidationError):
        register_visits(filled, name="x", population={"min_age": "老"})
    with pytest.raises(ValidationError):
        register_visits(filled, name="x", population={"tags": ["unknown"]})
    with pytest.raises(PermissionDenied):  # a 民政局 officer cannot register for 公安
        register_visits(filled, name="x", department=dept(filled, "ga"))
    with pytest.raises(PermissionDenied):
        register_visits(filled, name="x", actor=filled.users["chaoku_worker"])


@pytest.mark.django_db
def test_community_fills_missing_cells_once_for_every_report(filled):
    report = register_visits(filled)
    chaoku = Place.objects.get(name="钞库街社区", district=filled.district)
    worker = filled.users["chaoku_worker"]
    row = next(r for r in rows_for(report, chaoku) if r.person.name == "杨磊强")
    visit_key = report.columns.last().field.key
    services.report_fill(
        actor=worker, report=report, person=row.person, key=visit_key, raw="2026-11-20"
    )
    again = next(r for r in rows_for(report, chaoku) if r.person.pk == row.person.pk)
    assert not {c.key: c for c in again.cells}[visit_key].missing
    # A second report using the same field gets the value without asking again.
    second = services.report_register(
        actor=mz(filled), department=dept(filled, "mz"), item=admitted_form_item(dept(filled, "mz")),
        name="走访汇总",
        field_keys=["name", visit_key], population={"tags": ["elderly"]},
    )  # fmt: skip
    shared = next(r for r in rows_for(second, chaoku) if r.person.pk == row.person.pk)
    assert {c.key: c for c in shared.cells}[visit_key].value == "2026-11-20"
    # Another community's worker cannot fill this person's cells.
    outsider = filled.users["community_worker:own"]
    with pytest.raises(PermissionDenied):
        services.report_fill(
            actor=outsider, report=report, person=row.person, key=visit_key, raw="x"
        )
    with pytest.raises(ValidationError):
        services.report_fill(actor=worker, report=report, person=row.person, key=visit_key, raw=" ")
    with pytest.raises(ValidationError):
        services.report_fill(actor=worker, report=report, person=row.person, key="dibao", raw="是")


@pytest.mark.django_db
def test_forms_ledger_keep_stop_merge(filled):
    first = register_visits(filled)
    second = register_visits(filled, name="高龄津贴核对表", new_columns=[])
    coordinator = filled.users["coordinator:own"]
    with pytest.raises(PermissionDenied):
        services.report_set_status(actor=mz(filled), report=second, status="stopped", note="重复")
    with pytest.raises(ValidationError, match="理由"):
        services.report_set_status(actor=coordinator, report=second, status="stopped")
    with pytest.raises(ValidationError, match="合并到"):
        services.report_set_status(actor=coordinator, report=second, status="merged", note="重复")
    services.report_set_status(
        actor=coordinator, report=second, status="merged", merged_into=first, note="与走访表合并"
    )
    second.refresh_from_db()
    assert second.status == "merged" and second.merged_into == first
    assert list(second.ledger.values_list("action", flat=True)) == ["merged", "registered"]
    chaoku_worker = filled.users["chaoku_worker"]
    person = Residence.objects.filter(community__name="钞库街社区").first().person
    with pytest.raises(ValidationError, match="停用或合并"):
        services.report_fill(
            actor=chaoku_worker, report=second, person=person, key="name", raw="某"
        )


@pytest.mark.django_db
def test_sharing_grants_limit_fields_and_every_read_is_visible_to_the_resident(filled):
    coordinator = filled.users["coordinator:own"]
    with pytest.raises(PermissionDenied):
        services.grant_create(actor=mz(filled), department=dept(filled, "mz"),
                              field_keys=["name"], purpose="自己授权")  # fmt: skip
    with pytest.raises(ValidationError):
        services.grant_create(actor=coordinator, department=dept(filled, "mz"),
                              field_keys=["name"], purpose="")  # fmt: skip
    grant = services.grant_create(
        actor=coordinator, department=dept(filled, "mz"), field_keys=["name", "phone"],
        purpose="高龄津贴发放核对",
    )  # fmt: skip
    person = personal_data.find_by_id_number("320104192805271137")
    with pytest.raises(PermissionDenied):  # 公安 is not the grantee
        services.shared_read(actor=filled.users["ga_officer"], grant=grant, people=[person])
    services.shared_read(actor=mz(filled), grant=grant, people=[person])
    reads = list(selectors.reads_of(person))
    assert reads[0].action == "registry.shared_read" and reads[0].purpose == "高龄津贴发放核对"
    services.grant_end(actor=coordinator, grant=grant)
    grant.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.shared_read(actor=mz(filled), grant=grant, people=[person])
    # The resident sees the facts held (masked) and who read them.
    facts = list(selectors.facts_about(person))
    assert {f.field.key for f in facts} >= {"name", "elderly_allowance", "phone"}
    assert all("13" not in f.value or "*" in f.value for f in facts if f.field.key == "phone")


@pytest.mark.django_db
def test_fact_record_by_owner_and_conflict_by_community(filled):
    person = personal_data.find_by_id_number("320104192805271137")
    worker = filled.users["chaoku_worker"]
    # phone is community-collected: mz's value came first; the community's own value replaces it.
    outcome, fact, conflict = services.fact_record(
        actor=worker, person=person, key="phone", raw="13911112222"
    )
    assert outcome == "current" and conflict is None
    person.refresh_from_db()
    assert person.mobile_masked == "139****2222"
    # living_alone is community-owned: 民政局 said 是 for 张娜平; 公安 says 否 → a conflict for
    # the community, and 民政局's value stays shown until the community settles it.
    alone = personal_data.find_by_id_number("320102193611037600")
    outcome, fact, conflict = services.fact_record(
        actor=filled.users["ga_officer"], person=alone, key="living_alone", raw="否",
        source=dept(filled, "ga"),
    )  # fmt: skip
    assert outcome == "conflict" and conflict.owner is None
    assert conflict.community.name == "钞库街社区"
    assert Fact.objects.get(person=alone, field__key="living_alone", is_current=True).value == "是"
    assert conflict in selectors.conflicts_for(worker)
    assert conflict not in selectors.conflicts_for(mz(filled))
    with pytest.raises(PermissionDenied):
        services.conflict_settle(actor=mz(filled), conflict=conflict, keep="challenger")
    services.conflict_settle(actor=worker, conflict=conflict, keep="challenger", note="上门核实")
    assert Fact.objects.get(person=alone, field__key="living_alone", is_current=True).value == "否"
    with refused("settled"):
        services.conflict_settle(actor=worker, conflict=conflict, keep="shown")
    outcome, fact, conflict = services.fact_record(
        actor=mz(filled),
        person=person,
        key="elderly_allowance",
        raw="500",
        source=dept(filled, "mz"),
    )
    assert outcome == "current"
    assert (
        Fact.objects.get(person=person, field__key="elderly_allowance", is_current=True).value
        == "500.00"
    )
    # A department cannot speak for another, nor a worker outside the person's community.
    with pytest.raises(PermissionDenied):
        services.fact_record(
            actor=mz(filled), person=person, key="name", raw="某", source=dept(filled, "ga")
        )
    with pytest.raises(PermissionDenied):
        services.fact_record(
            actor=filled.users["community_worker:own"],
            person=person,
            key="phone",
            raw="13911113333",
        )
    with pytest.raises(ValidationError):
        services.fact_record(actor=worker, person=person, key="phone", raw="12345")
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError):
        services.fact_record(actor=worker, person=person, key="no_such_field", raw="x")
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db
def test_organisations_need_a_valid_unified_social_credit_code(filled):
    chaoku = Place.objects.get(name="钞库街社区", district=filled.district)
    worker = filled.users["chaoku_worker"]
    org = services.organisation_register(
        actor=worker, community=chaoku, name="秦淮老年服务中心", uscc_code="91320104ma1n2b3c4r"
    )
    assert org.uscc == "91320104MA1N2B3C4R"
    with refused("duplicate", match="已登记"):
        services.organisation_register(
            actor=worker, community=chaoku, name="x", uscc_code="91320104MA1N2B3C4R"
        )
    with refused("uscc"):
        services.organisation_register(
            actor=worker, community=chaoku, name="x", uscc_code="91320104MA1N2B3C4X"
        )
    with pytest.raises(PermissionDenied):
        services.organisation_register(
            actor=filled.users["community_worker:own"], community=chaoku, name="x",
            uscc_code="91320104MA1N2B3C4R",
        )  # fmt: skip
    assert Organisation.objects.count() == 1


@pytest.mark.django_db
def test_residence_set_and_households(filled):
    chaoku = Place.objects.get(name="钞库街社区", district=filled.district)
    worker = filled.users["chaoku_worker"]
    person = core_services.person_register(actor=worker, place=chaoku, name="新居民")
    residence = services.residence_set(
        actor=worker, person=person, community=chaoku, household_no="3201040009999",
        relation="户主", registered_address="南京市秦淮区中华路1号2幢3单元401室",
        actual_address="南京市秦淮区中华路1号2幢3单元401室",
    )  # fmt: skip
    assert not residence.separated and residence.house.unit.number == "3"
    assert residence.house.building.address == "南京市秦淮区中华路1号2幢"
    with pytest.raises(ValidationError, match="户号"):
        services.residence_set(actor=worker, person=person, community=chaoku, household_no="abc")
    with pytest.raises(PermissionDenied):
        services.residence_set(
            actor=filled.users["community_worker:own"], person=person, community=chaoku
        )
