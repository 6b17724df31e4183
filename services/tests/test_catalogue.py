"""Changing a catalogue item (services.item_update): each field cleaned as item_create cleans it,
a refusal in words that writes nothing, a new version and one audit event only when something
changes, the co-handling departments checked against the (new) lead."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import AuditEvent
from services import services as request_services
from services.models import ServiceItem

pytestmark = pytest.mark.django_db


def _state(item: ServiceItem):
    item = ServiceItem.objects.get(pk=item.pk)
    return (
        item.version, item.name, item.category, item.fields, item.deadline_days,
        item.acceptance_days, item.sensitive, item.handling_level, item.lead_department_id,
        sorted(item.co_departments.values_list("pk", flat=True)), AuditEvent.objects.count(),
        item.applicant, item.is_active, item.description, item.keywords, item.materials,
        item.group,
    )  # fmt: skip


def _update(world, item, **changes):
    return request_services.item_update(actor=world.dispatcher, item=item, **changes)


BAD = [
    ({"code": "X-1"}, "不能修改这些字段：code"),
    ({"district": None, "version": 9}, "不能修改这些字段：district, version"),
    ({"name": "  "}, "事项名称"),
    ({"name": "名" * 101}, "事项名称"),
    ({"category": "gossip"}, "请选择事项类别"),
    ({"fields": "not a list"}, "表单字段格式不正确"),
    ({"fields": [{"code": "a", "label": "甲", "datatype": "singlevaluelist"}]}, "需要给出选项"),
    ({"fields": [{"code": "a", "label": "甲"}, {"code": "a", "label": "乙"}]}, "重复"),
    ({"deadline_days": 61}, "办理时限"),
    ({"deadline_days": "soon"}, "办理时限"),
    ({"acceptance_days": 6}, "受理时限"),
    ({"acceptance_days": -1}, "受理时限"),
    ({"handling_level": "heaven"}, "请选择处置层级"),
    # Checked as item_create checks them (services.services.catalogue._cleaners).
    ({"applicant": "martian"}, "请选择申请人范围"),
    ({"applicant": ""}, "请选择申请人范围"),
    ({"is_active": "no"}, "有效应为“是”或“否”"),
    ({"is_active": 0}, "有效应为“是”或“否”"),
    ({"is_active": None}, "有效应为“是”或“否”"),
    ({"description": "说" * 4001}, "说明过长（最多4000字）"),
    ({"description": 42}, "说明应为文字"),
    ({"keywords": "词" * 201}, "关键词过长（最多200字）"),
    ({"keywords": ["占道", "摊贩"]}, "关键词应为文字"),
    ({"materials": "材" * 4001}, "所需材料过长（最多4000字）"),
    ({"group": "域" * 51}, "领域过长（最多50字）"),
    ({"fields": 7}, "表单字段格式不正确"),
    # The first refusal in the fields' order wins: the name before the category.
    ({"name": "", "category": "gossip"}, "事项名称"),
    ({"category": "gossip", "handling_level": "heaven"}, "请选择事项类别"),
    ({"keywords": "词" * 201, "applicant": "martian"}, "关键词"),
]


@pytest.mark.parametrize(("changes", "message"), BAD)
def test_bad_changes_are_refused_in_words_and_write_nothing(world, changes, message):
    item = world.items["CG-003"]
    before = _state(item)
    with pytest.raises(ValidationError, match=message):
        _update(world, item, **changes)
    assert _state(item) == before


def test_only_a_catalogue_manager_changes_an_item(world):
    item = world.items["CG-003"]
    before = _state(item)
    with pytest.raises(PermissionDenied):
        request_services.item_update(actor=world.resident, item=item, deadline_days=9)
    assert _state(item) == before


def test_each_field_is_cleaned_and_the_change_is_one_version_and_one_event(world):
    item = world.items["CG-003"]
    version = ServiceItem.objects.get(pk=item.pk).version
    before = AuditEvent.objects.count()
    item = _update(
        world, item, name="  占道经营  ", deadline_days="9", acceptance_days=0, sensitive="yes",
        handling_level="street", category="complaint", is_active=False,
        fields=[{"code": "where", "label": "地点", "required": 1}],
    )  # fmt: skip
    item.refresh_from_db()
    assert item.version == version + 1
    assert (item.name, item.deadline_days, item.acceptance_days) == ("占道经营", 9, 0)
    assert item.sensitive is True and item.handling_level == "street" and not item.is_active
    assert item.fields == [{"code": "where", "label": "地点", "datatype": "string",
                            "required": True, "order": 1, "help": "", "values": []}]  # fmt: skip
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("id")
    assert event.action == "services.item_update" and event.place_id == world.d.district.pk
    assert event.changes["name"][1] == "占道经营" and event.changes["deadline_days"][1] == 9
    assert "acceptance_days" in event.changes and "sensitive" in event.changes
    item = _update(world, item, applicant="resident", is_active=True, description=" 摊贩 ",
                   keywords="摊贩,占道", materials="", group="城市管理")  # fmt: skip
    assert item.version == version + 2 and item.is_active and item.applicant == "resident"
    assert (item.description, item.keywords, item.group) == ("摊贩", "摊贩,占道", "城市管理")
    before += 1
    version += 1
    # The same values again: nothing changes, no version, no event.
    again = _update(world, item, name="占道经营", deadline_days=9, sensitive=True)
    assert again.version == version + 1 and AuditEvent.objects.count() == before + 1


def test_co_departments_are_checked_against_the_lead(world):
    mz, cg = world.d.departments
    item = world.items["CG-003"]
    assert item.lead_department == cg
    before = _state(item)
    with pytest.raises(ValidationError, match="协办部门不能与主办部门相同"):
        _update(world, item, co_departments=[cg])
    # A new lead is checked against the co-handling departments already on the item.
    _update(world, item, co_departments=[mz])
    with pytest.raises(ValidationError, match="协办部门不能与主办部门相同"):
        _update(world, item, lead_department=mz)
    assert _state(item)[8] == before[8]

    events = AuditEvent.objects.count()
    item = _update(world, item, co_departments=[])
    event = AuditEvent.objects.latest("id")
    assert AuditEvent.objects.count() == events + 1
    assert event.changes == {"co_departments": [["民政局"], []]}
    # Swapping the lead with no co-handling departments: only the lead in the diff.
    item = _update(world, item, lead_department=mz)
    assert AuditEvent.objects.latest("id").changes == {"lead_department": ["城管局", "民政局"]}
    assert list(item.co_departments.all()) == []
    # The same co-handling departments (none): no change, no version.
    version = item.version
    assert _update(world, item, co_departments=[]).version == version
