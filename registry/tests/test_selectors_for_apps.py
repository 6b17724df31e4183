"""The selectors other apps read: the forms a district keeps, and a person's status tags.

Admission compares a new form's fields with `report_forms_in`; the time bank and others read
`status_tags_of`. Both are checked against real facts and forms made through the services.
"""

import datetime

import pytest

from admission.testing import admitted_form_item
from core import personal_data
from core import services as core_services
from core.testing import build_small_district
from registry import selectors, services
from registry.models import Fact


def dept(d, code):
    return next(x for x in d.departments if x.short_code == code)


def mz(d):
    return d.users["department_officer:own"]


def register(d, name, field_keys, new_columns=()):
    return services.report_register(
        actor=mz(d), department=dept(d, "mz"), item=admitted_form_item(dept(d, "mz")), name=name,
        field_keys=field_keys,
        new_columns=list(new_columns),
    )  # fmt: skip


# ---------------------------------------------------------------- report_forms_in


@pytest.mark.django_db
def test_report_forms_in_lists_kept_forms_with_every_label(filled):
    visits = register(filled, "高龄老人走访表", ["name", "id_number", "living_alone"], ["走访日期"])
    forms = {f.form_id: f for f in selectors.report_forms_in(filled.district)}
    assert set(forms) == {visits.pk}
    form = forms[visits.pk]
    assert form.name == "高龄老人走访表" and form.department == "民政局"
    # Column titles, field labels and their aliases, and the new column nobody held before.
    assert {"姓名", "老人姓名", "公民身份号码", "身份证号", "证件号码", "独居", "独居老人"} <= (
        form.labels
    )
    assert "走访日期" in form.labels
    # A field the form does not collect is not among its labels.
    assert "联系电话" not in form.labels and "手机号" not in form.labels


@pytest.mark.django_db
def test_report_forms_in_leaves_out_stopped_and_merged_forms(filled):
    kept = register(filled, "高龄老人走访表", ["name", "phone"])
    stopped = register(filled, "低保复核表", ["name", "dibao"])
    merged = register(filled, "独居老人名册", ["name", "living_alone"])
    coordinator = filled.users["coordinator:own"]
    services.report_set_status(actor=coordinator, report=stopped, status="stopped", note="已停用")
    services.report_set_status(
        actor=coordinator, report=merged, status="merged", merged_into=kept, note="并入走访表"
    )
    forms = selectors.report_forms_in(filled.district)
    assert [f.form_id for f in forms] == [kept.pk]
    # Kept again (the ledger allows it): listed again.
    services.report_set_status(actor=coordinator, report=stopped, status="kept")
    assert {f.form_id for f in selectors.report_forms_in(filled.district)} == {kept.pk, stopped.pk}


@pytest.mark.django_db
def test_report_forms_in_is_limited_to_its_district(filled):
    mine = register(filled, "高龄老人走访表", ["name"])
    other = build_small_district(code="320105", name="建邺区")
    theirs = services.report_register(
        actor=other.root, department=dept(other, "mz"), item=admitted_form_item(dept(other, "mz")),
        name="高龄老人走访表",
        field_keys=["name", "gender"],
    )  # fmt: skip
    assert [f.form_id for f in selectors.report_forms_in(filled.district)] == [mine.pk]
    assert [f.form_id for f in selectors.report_forms_in(other.district)] == [theirs.pk]
    # A district with no forms: an empty list, not an error.
    empty = core_services.district_create(
        actor=other.root, name="玄武区", code="320102", population=1, households=1
    )
    assert selectors.report_forms_in(empty) == []


@pytest.mark.django_db
def test_report_forms_in_reads_in_a_fixed_number_of_queries(filled, django_assert_num_queries):
    register(filled, "表一", ["name", "phone"])
    with django_assert_num_queries(2):  # forms, then all their columns with their fields
        one = selectors.report_forms_in(filled.district)
    for n in range(2, 6):
        register(filled, f"表{n}", ["name", "gender", "birth_date", "dibao"], [f"新列{n}"])
    with django_assert_num_queries(2):
        five = selectors.report_forms_in(filled.district)
    assert len(one) == 1 and len(five) == 5
    assert all(f"新列{f.name[1:]}" in f.labels for f in five if f.name != "表一")


# ---------------------------------------------------------------- status_tags_of


def untagged_person(d):
    """Someone from the police file with no tag facts yet (the police file sets none)."""
    person = personal_data.find_by_id_number("320104199302135530")  # 高磊超, born 1993
    assert not Fact.objects.filter(person=person, field__is_tag=True).exists()
    return person


@pytest.mark.django_db
def test_status_tags_of_holds_the_current_yes_tags(filled):
    person = untagged_person(filled)
    assert selectors.status_tags_of(person) == set()
    worker = filled.users["chaoku_worker"]
    services.fact_record(actor=mz(filled), person=person, key="dibao", raw="是",
                         source=dept(filled, "mz"))  # fmt: skip
    services.fact_record(actor=worker, person=person, key="living_alone", raw="是")
    services.fact_record(actor=mz(filled), person=person, key="disabled", raw="否",
                         source=dept(filled, "mz"))  # fmt: skip
    assert selectors.status_tags_of(person) == {"dibao", "living_alone"}
    # The owner changes its value: the old "是" is kept as history but no longer counts.
    services.fact_record(actor=mz(filled), person=person, key="dibao", raw="否",
                         source=dept(filled, "mz"))  # fmt: skip
    assert Fact.objects.filter(person=person, field__key="dibao", value="是").exists()
    assert selectors.status_tags_of(person) == {"living_alone"}


@pytest.mark.django_db
def test_status_tags_of_follows_the_owner_not_a_disagreeing_source(filled):
    person = untagged_person(filled)
    root = filled.root
    veterans = dept(filled, "tyjr")
    # The owner (退役军人事务局) says no; 民政局 says yes: a conflict, the owner's "否" stays shown.
    services.fact_record(actor=root, person=person, key="veteran", raw="否", source=veterans)
    outcome, _fact, conflict = services.fact_record(
        actor=mz(filled), person=person, key="veteran", raw="是", source=dept(filled, "mz")
    )
    assert outcome == "conflict"
    assert "veteran" not in selectors.status_tags_of(person)
    # Settled for the challenger: now the tag holds.
    services.conflict_settle(actor=root, conflict=conflict, keep="challenger")
    assert selectors.status_tags_of(person) == {"veteran"}


@pytest.mark.django_db
def test_status_tags_of_ignores_other_fields_derived_tags_and_other_people(filled):
    old = personal_data.find_by_id_number("320103193103107496")  # 周芳平, born 1931
    assert old.birth_date == datetime.date(1931, 3, 10)
    young = untagged_person(filled)
    # A "是" in a field that is not a status tag is not a tag.
    services.fact_record(actor=filled.users["ga_officer"], person=young, key="person_category",
                         raw="是", source=dept(filled, "ga"))  # fmt: skip
    services.fact_record(actor=filled.users["chaoku_worker"], person=old, key="living_alone",
                         raw="是")  # fmt: skip
    assert selectors.status_tags_of(young) == set()
    # Age-derived tags (elderly) are never stored, so never returned.
    assert selectors.status_tags_of(old) == {"living_alone"}
    assert "elderly" not in selectors.status_tags_of(old)
    # A report's own yes/no column is not a registry status tag either.
    report = register(filled, "走访表", ["name"], ["是否走访"])
    column = report.columns.get(title="是否走访").field
    services.report_fill(actor=filled.users["chaoku_worker"], report=report, person=young,
                         key=column.key, raw="是")  # fmt: skip
    assert Fact.objects.filter(person=young, field=column, value="是", is_current=True).exists()
    assert selectors.status_tags_of(young) == set()
