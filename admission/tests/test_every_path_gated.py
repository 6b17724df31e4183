"""Done-when of issue #13: no path in the code creates work, a form, an inspection or a meeting
for a community without an admitted item.

The first test reads every module of the project (tests, migrations and the demo builders
aside) and lists each function that creates a task or a report form; that list must be exactly
the gated services below, so a new path fails here until it is gated and proven so. The second
calls each gated service without an admitted item and with an item that does not fit, and
checks it is refused with nothing written."""

import ast
import pathlib

import pytest
from django.conf import settings

from admission import services as admission
from admission.testing import admitted_form_item
from core.models import AuditEvent
from core.tests.refused import refused
from registry import services as registry
from registry.models import ReportForm
from workload import services as workload
from workload.models import Task

# Rows that put work or a form onto a community, and the one service allowed to create each.
GATED = {
    "Task": {("workload/services.py", "tasks_dispatch")},
    "ReportForm": {("registry/services/reports.py", "report_register")},
    # Inspections held in a community and meetings it is called to (issue #13 items 4, 5).
    "Inspection": {("admission/services/inspections.py", "inspection_record")},
    "SentDown": {("admission/services/sent_down.py", "sent_down_register")},
    # Work bought from a social organisation stands on an admitted item (issue #18 item 3).
    "ServiceContract": {("civic/services/contracts.py", "contract_sign")},
}
# Builders of demo data and fixtures for tests go through the services above.
SKIPPED_PARTS = {
    "tests", "migrations", ".venv", "node_modules", "static", "locale", "bench", "var",
}  # fmt: skip


def _creations(tree: ast.AST, model: str):
    """(function, line) of each `Model(...)`, `Model.objects.create/bulk_create/get_or_create`."""
    for func in ast.walk(tree):
        if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(func):
            if not isinstance(node, ast.Call):
                continue
            target = node.func
            if isinstance(target, ast.Name) and target.id == model:
                yield func.name, node.lineno
            elif (
                isinstance(target, ast.Attribute)
                and target.attr in {"create", "bulk_create", "get_or_create", "update_or_create"}
                and isinstance(target.value, ast.Attribute)
                and target.value.attr == "objects"
                and isinstance(target.value.value, ast.Name)
                and target.value.value.id == model
            ):
                yield func.name, node.lineno


def test_only_the_gated_services_create_tasks_or_forms():
    root = pathlib.Path(settings.BASE_DIR)
    found = {model: set() for model in GATED}
    for path in root.rglob("*.py"):
        relative = path.relative_to(root)
        if SKIPPED_PARTS & set(relative.parts):
            continue
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError):
            continue  # a data file named .py (a fuzzing corpus), not code
        for model in GATED:
            for function, _line in _creations(tree, model):
                found[model].add((relative.as_posix(), function))
    assert found == GATED


def _written():
    return Task.objects.count(), ReportForm.objects.count(), AuditEvent.objects.count()


@pytest.mark.django_db
def test_each_gated_service_refuses_work_without_a_fitting_item(d):
    officer = d.users["department_officer:own"]
    form_item = admitted_form_item(d.departments[0])
    elsewhere = admitted_form_item(
        d.departments[0], title="第二社区报表", communities=[d.communities[1]]
    )
    before = _written()
    # Tasks: an item is required, the community in its scope, the task its work.
    with refused("no_item"):
        workload.tasks_dispatch(
            actor=officer, item=None, communities=[d.communities[0]], title="x",
            due_in_working_days=5, dispatch_token="gate-none",
        )  # fmt: skip
    with refused("outside_scope"):
        workload.tasks_dispatch(
            actor=officer, item=elsewhere, communities=[d.communities[0]],
            title="第二社区报表", due_in_working_days=5, dispatch_token="gate-1",
        )  # fmt: skip
    with refused("task_mismatch"):
        workload.tasks_dispatch(
            actor=officer, item=form_item, communities=[d.communities[0]], title="寒潮安全提醒",
            due_in_working_days=5, dispatch_token="gate-2",
        )  # fmt: skip
    # Forms: an admitted item of kind form of the department is required.
    with refused("form_not_admitted"):
        registry.report_register(
            actor=officer, department=d.departments[0], name="无准入报表", field_keys=["name"]
        )
    assert _written() == before
    assert admission.item_is_usable(form_item)


@pytest.mark.django_db
def test_inspections_and_meetings_need_a_fitting_item(d):
    from admission.models import Inspection, SentDown

    officer = d.users["department_officer:own"]
    form_item = admitted_form_item(d.departments[0])
    before = (Inspection.objects.count(), SentDown.objects.count(), AuditEvent.objects.count())
    today = admission.local_today()
    with refused("items"):
        admission.inspection_record(
            actor=officer, community=d.communities[0], items=[], held_on=today,
            submit_token="gate-inspection-0",
        )  # fmt: skip
    with refused("not_admitted"):  # an item of another kind is no inspection
        admission.inspection_record(
            actor=officer, community=d.communities[0], items=[form_item], held_on=today,
            submit_token="gate-inspection-1",
        )  # fmt: skip
    with refused("no_item"):
        admission.sent_down_register(
            actor=officer, kind="meeting", department=d.departments[0], title="工作例会",
            day=today, communities=[d.communities[0]], minutes=60, submit_token="gate-meeting",
        )  # fmt: skip
    with refused("no_item"):
        admission.sent_down_register(
            actor=officer, kind="meeting", department=d.departments[0], title="工作例会",
            day=today, communities=[d.communities[0]], minutes=60, item=form_item,
            submit_token="gate-meeting",
        )  # fmt: skip
    assert (
        Inspection.objects.count(),
        SentDown.objects.count(),
        AuditEvent.objects.count(),
    ) == before
