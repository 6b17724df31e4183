"""Every role × every registry action × own place / other place, through the real services.

"Own" targets lie in the first street of district 320104 (where every role's own account
serves); "other" targets in the second street, or for district-level roles in district 320105.
Nothing is allowed at the other place; at the own place exactly the roles in EXPECTED are.
A refused action writes nothing.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from admission.testing import admitted_form_item
from core import services as core_services
from core.models import Role
from core.testing import attempt_allowed, deny_unless
from core.tests.matrix import cells, two_districts
from registry import services, values
from registry.models import ReportForm

R = Role
PLACE_WORKERS = {R.ADMIN, R.STREET_OFFICER, R.COMMUNITY_WORKER}
EXPECTED = {
    "view_residents": PLACE_WORKERS | {R.GRID_WORKER, R.AUDITOR},
    "set_residence": PLACE_WORKERS,
    # Buildings and houses in a grid: its grid worker walks them and may register them too.
    "create_building": PLACE_WORKERS | {R.GRID_WORKER},
    "update_building": PLACE_WORKERS | {R.GRID_WORKER},
    "create_house": PLACE_WORKERS | {R.GRID_WORKER},
    "register_organisation": PLACE_WORKERS,
    "settle_community_conflict": PLACE_WORKERS,
    "fill_report": PLACE_WORKERS | {R.GRID_WORKER},
    "upload_import": {R.ADMIN, R.DEPARTMENT_OFFICER},
    "register_report": {R.ADMIN, R.COORDINATOR, R.DEPARTMENT_OFFICER},
    "keep_ledger": {R.ADMIN, R.COORDINATOR},
    "grant_sharing": {R.ADMIN, R.COORDINATOR},
    "set_field_owner": {R.ADMIN, R.COORDINATOR},
}
DISTRICT_ROLES = {R.ADMIN, R.COORDINATOR, R.DEPARTMENT_OFFICER}
USCC = "91320104MA1N2B3C4R"


def _setup(d, grid, id_number):
    person = core_services.person_register(
        actor=d.root, place=grid, name="居民", id_number=id_number
    )
    services.place_person(
        person=person, community=grid.parent, grid=grid, household_no="3201049999",
        actual_address=f"{grid.name}路1号1幢101室",
    )  # fmt: skip
    fields = services.ensure_fields(d.district)
    for dept, value in ((d.departments[0], "是"), (d.departments[1], "否")):
        services.record_fact(
            author=d.root, person=person, field=fields["living_alone"],
            clean=values.Clean(value, value), source=dept, community=grid.parent,
        )  # fmt: skip
    return person


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        own, far = two_districts()
        people = {
            "own": _setup(own, own.grids[0], "320104195001011237"),
            "street_b": _setup(own, own.grids[4], "320104198507153818"),
            "far": _setup(far, far.grids[0], "320103196212030022"),
        }
        reports = {
            side: services.report_register(
                actor=d.root,
                department=d.departments[0],
                item=admitted_form_item(d.departments[0]),
                name="表",
                field_keys=["name"],
                new_columns=[f"走访{side}"],
            )
            for side, d in (("own", own), ("far", far))
        }
        yield own, far, people, reports
        transaction.set_rollback(True)


def targets(world, role, side):
    own, far, people, reports = world
    if side == "own":
        return own, 0, people["own"], reports["own"]
    if role in DISTRICT_ROLES:
        return far, 0, people["far"], reports["far"]
    return own, 1, people["street_b"], reports["own"]


def attempt(world, role, side, action, tmp_path) -> bool:
    own = world[0]
    actor = own.users[f"{role}:own"]
    d, b, person, report = targets(world, role, side)
    community = d.communities[2 * b]
    fields = services.ensure_fields(d.district)
    from registry.models import Conflict

    conflict = Conflict.objects.filter(person=person, status="open").first()
    building = person.residence.house.building
    actions = {
        "view_residents": lambda: deny_unless(
            actor.has_perm("registry.view_residents", person.residence.grid)
        ),
        "set_residence": lambda: services.residence_set(
            actor=actor, person=person, community=community, relation="户主"
        ),
        "create_building": lambda: services.building_create(
            actor=actor, community=community, grid=building.grid, address="新街口路9号"
        ),
        "update_building": lambda: services.building_update(
            actor=actor, building=building, address=building.address, grid=None
        ),
        "create_house": lambda: services.house_create(
            actor=actor, building=building, unit="1", number="502"
        ),
        "register_organisation": lambda: services.organisation_register(
            actor=actor, community=community, name="单位", uscc_code=USCC
        ),
        "settle_community_conflict": lambda: services.conflict_settle(
            actor=actor, conflict=conflict, keep="shown"
        ),
        "fill_report": lambda: services.report_fill(
            actor=actor,
            report=report,
            person=person,
            key=report.columns.last().field.key,
            raw="2026-11-27",
        ),
        "upload_import": lambda: services.import_upload(
            actor=actor,
            source=services.import_source_create(
                actor=actor, department=d.departments[0], name="名册"
            ),
            upload=SimpleUploadedFile("a.csv", "姓名,公民身份号码\r\n".encode()),
        ),
        "register_report": lambda: services.report_register(
            actor=actor,
            department=d.departments[0],
            item=admitted_form_item(d.departments[0]),
            name="新表",
            field_keys=["name"],
        ),
        "keep_ledger": lambda: services.report_set_status(
            actor=actor, report=report, status=ReportForm.Status.STOPPED, note="重复报表"
        ),
        "grant_sharing": lambda: services.grant_create(
            actor=actor, department=d.departments[0], field_keys=["name"], purpose="核对"
        ),
        "set_field_owner": lambda: services.field_set_owner(
            actor=actor, field=fields["phone"], owner=d.departments[0]
        ),
    }
    return attempt_allowed(actions[action], label=f"{role} {action} {side}")


CELLS = cells(EXPECTED)


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "action", "side"), CELLS, ids=["-".join(c) for c in CELLS])
def test_permission_matrix(world, role, action, side, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    allowed = attempt(world, role, side, action, tmp_path)
    expected = side == "own" and role in EXPECTED[action]
    assert allowed == expected, f"{role} {action} {side}: allowed={allowed}"
