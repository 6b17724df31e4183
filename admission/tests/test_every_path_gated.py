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
# Every other model that holds rows of a community, and why none of them is work, a form, an
# inspection or a meeting pushed onto it (a new model with a ``community`` fails the test below
# until it is gated above or listed here with its reason).
GATE_ITSELF = (
    "the gate's own rows and the ledgers of gated work (scopes, traces, refusals, summaries)"
)
OWN_RECORDS = "the community's own records of what it does, not work pushed onto it by a body"
EXEMPT = {
    "core.AccountLink": "an account linked to a person, not work",
    "admission.AdmittedScope": GATE_ITSELF,
    "admission.CertificateAnswer": "a certificate a resident asked for, answered from the certificate list",
    "admission.InspectionRating": "the community's rating of an inspection held (基层评机关)",
    "workload.Trace": GATE_ITSELF,
    "workload.RefusedWork": GATE_ITSELF,
    "workload.TimeLog": GATE_ITSELF,
    "workload.BurdenMonth": GATE_ITSELF,
    "workforce.Worker": "the community's staff files (workforce)",
    "workforce.Contract": "the community's staff files (workforce)",
    "workforce.Term": "the community's staff files (workforce)",
    "workforce.Leave": "the community's staff files (workforce)",
    "workforce.Qualification": "the community's staff files (workforce)",
    "workforce.Posting": "the community's staff files (workforce)",
    "workforce.ProgressionPause": "the community's staff files (workforce)",
    "workforce.Assessment": "the yearly assessment of a worker (personnel), not of the community",
    "workforce.WorkerAssessment": "the yearly assessment of a worker (personnel), not of the community",
    "workforce.SurgeTask": "an emergency outside the gate by policy (应急任务): recorded by the community itself with the district's instruction, approved afterwards, its hours in the burden index",
    "workforce.SurgeHours": "the hours of a surge task (above)",
    "training.SurveyAnswer": "a worker's own answer to the training needs survey",
    "training.Enrolment": "a worker's own training (career hours)",
    "training.Attendance": "a worker's own training (career hours)",
    "training.Certificate": "a worker's own training (career hours)",
    "finance.Budget": "the community's own funds and books (费随事转 money follows admitted items)",
    "finance.Income": "the community's own funds and books",
    "finance.Spending": "the community's own funds and books",
    "finance.Disclosure": "the community's own 居务公开 board",
    "finance.StreetNotice": "a note that the street was told of a matter once, not work",
    "services.ServiceRequest": "a resident's request: the community's service, not pushed work",
    "registry.Building": "the shared registry's rows (forms asking communities for them are ReportForm, gated)",
    "registry.House": "the shared registry's rows",
    "registry.Household": "the shared registry's rows",
    "registry.Residence": "the shared registry's rows",
    "registry.Organisation": "the shared registry's rows",
    "registry.Fact": "the shared registry's rows",
    "registry.Conflict": "the shared registry's rows",
    "oversight.Result": "the yearly assessment computed from what Linli already holds: no visit, no materials, nothing asked of the community",
    "oversight.Survey": "residents' review of their committee (民主评议), answered by residents",
    "civic.SocialOrganisation": "an organisation filed with the street, not work",
    "civic.ContractDelivery": "an organisation's delivery under a gated contract (its work, not the community's)",
    "civic.ContractRating": "a resident's rating of a contracted service",
    "owners.Compound": "owners' self-government (小区, parts, decisions, committees, property contracts)",
    "owners.Part": "owners' self-government",
    "owners.Decision": "owners' self-government",
    "owners.Committee": "owners' self-government",
    "owners.PropertyContract": "owners' self-government",
    "channel.Post": "the community's own channel",
    "channel.Signup": "a resident's sign-up to a community event",
    "deliberation.Representative": "residents' self-government (协商议事), convened by the community",
    "deliberation.Proposal": "residents' self-government",
    "deliberation.Meeting": "residents' self-government",
    "deliberation.Decision": "residents' self-government",
    "deliberation.Document": "residents' self-government",
}  # fmt: skip
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


def test_every_model_of_a_community_is_gated_or_exempt_with_a_reason():
    """Rows held per community in every installed app: each is gated work (GATED) or listed in
    EXEMPT with why it is not work pushed onto the community."""
    from django.apps import apps

    from core.models import Place

    holding = set()
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.name == "community" and field.related_model is Place:
                holding.add(model._meta.label)
    gated = {label for label in holding if label.split(".")[1] in GATED}
    missing = sorted(holding - gated - set(EXEMPT))
    assert not missing, f"gate these or say why they are no work for a community: {missing}"
    assert all(len(reason) > 10 for reason in EXEMPT.values())
    assert not set(EXEMPT) - holding, "EXEMPT names models that no longer hold community rows"


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
