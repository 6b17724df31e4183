"""Schemathesis over every operation of /api/openapi.json, reads and writes, as seven roles.

The world is the tiny demo district (every app's demo data, built through the real services),
so a generated path id is, half of the time, the id of a real object of the right kind: the
fuzzer reaches the services' rules and not only the 404 of an unknown id. Each role's bearer
token has the write scope. Every answer must be below 500, and must be what the document says
(status code documented, content type, and for a documented status the response schema).

Each (role, operation) has its own fixed seed and there is no example database, so a run is
reproducible (a failure names the operation, the role and the example, and rerunning finds the
same one) while the roles still see different inputs. Every operation and role is tried and the
failures are reported together. The rate limits are off (tested in test_rate_limits).

Found by it so far: OfferOut's start_time/end_time ("18:00:00", a Beijing time of day without
an offset) failed the "time" format the document declared (RFC 3339 needs an offset).
"""

import datetime
import io
import zlib

import pytest
import time_machine
from django.db import transaction

from core import services
from core.models import Role, RoleAssignment

pytestmark = pytest.mark.django_db

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, given, seed  # noqa: E402
from hypothesis import settings as hypothesis_settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi import checks  # noqa: E402

EXAMPLES_PER_OPERATION = 3

# Not the positive/negative data checks: inputs are deliberately stricter or more lenient than
# JSON Schema can say (e.g. a NUL dropped from search text, a business rule's 422).
CHECKS = [
    not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]

# The roles fuzzed, each as its first demo account (by place code, then user id): every role
# but the social organisation member (it grants nothing yet) and the read-only auditor.
ROLES = [role for role in Role if role not in {Role.SOCIAL_ORG_MEMBER, Role.AUDITOR}]


def _path_ids() -> dict[tuple[str, str], list[int]]:
    """Real ids for each path parameter, keyed by (app prefix, parameter name)."""
    from admission.models import AdmissionRequest
    from core.models import ApiToken, Place
    from registry.models import Conflict, ImportBatch, ReportForm
    from services.models import ServiceRequest
    from timebank.models import Account, Dispute, Listing, Order
    from workload.models import Task

    def ids(queryset, limit=40):
        return list(queryset.order_by("pk").values_list("pk", flat=True)[:limit])

    return {
        ("core", "place_id"): ids(Place.objects.all()),
        ("core", "assignment_id"): ids(RoleAssignment.objects.all()),
        ("core", "token_id"): ids(ApiToken.objects.all()),
        ("admission", "request_id"): ids(AdmissionRequest.objects.all()),
        ("services", "request_id"): ids(ServiceRequest.objects.all()),
        ("workload", "task_id"): ids(Task.objects.all()),
        ("registry", "conflict_id"): ids(Conflict.objects.all()),
        ("registry", "batch_id"): ids(ImportBatch.objects.all()),
        ("registry", "report_id"): ids(ReportForm.objects.all()),
        ("timebank", "account_id"): ids(Account.objects.all()),
        ("timebank", "need_id"): ids(Listing.objects.filter(kind="need")),
        ("timebank", "offer_id"): ids(Listing.objects.filter(kind="offer")),
        ("timebank", "order_id"): ids(Order.objects.all()),
        ("timebank", "dispute_id"): ids(Dispute.objects.all()),
    }


# A Wednesday morning in Beijing, the clock ticking from there: the demo's time bank signs
# volunteers in near the agreed times, which it places relative to "now".
MOMENT = datetime.datetime.fromisoformat("2026-12-02T09:30:00+08:00")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The tiny demo district, built once for the module and rolled back after it."""
    from core.demo.build import build_demo

    with (
        time_machine.travel(MOMENT, tick=True),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        build_demo("tiny", 2026, io.StringIO())
        yield _path_ids()
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    """The fuzzer sends hundreds of writes a minute from one address and token: the rate limits
    (tested in test_rate_limits) would answer most of them 429 before any rule is reached."""
    settings.RATELIMIT_ENABLE = False


def account_of(role: str):
    assignment = (
        RoleAssignment.objects.active()
        .filter(role=role, user__is_active=True)
        .order_by("place__code", "user_id")
        .select_related("user")
        .first()
    )
    assert assignment is not None, role
    return assignment.user


@pytest.fixture
def wsgi_app():
    """The real WSGI app, in-process, sharing the test's database transaction."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    # As Django's test client does: closing connections would end the test transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _strategy(operation, path_ids):
    """The operation's cases; half the time each id path parameter is a real id of its kind, and
    each ``…_id`` field of a JSON body a real id of some kind (so a body gets past "unknown
    place" to the rules behind it)."""
    app = operation.path.split("/")[2]
    names = [parameter.name for parameter in operation.path_parameters]
    choices = {name: path_ids[app, name] for name in names if path_ids.get((app, name))}
    any_id = sorted({pk for ids in path_ids.values() for pk in ids})

    @st.composite
    def cases(draw):
        case = draw(operation.as_strategy())
        for name, ids in choices.items():
            if draw(st.booleans()):
                case.path_parameters = {**case.path_parameters, name: draw(st.sampled_from(ids))}
        if isinstance(case.body, dict):
            for key in [key for key in case.body if key.endswith("_id")]:
                if draw(st.booleans()):
                    case.body[key] = draw(st.sampled_from(any_id))
        return case

    return cases()


def test_every_operation_as_every_role_answers_below_500_and_as_documented(demo, wsgi_app):
    """One test for all the roles (not one per role): under pytest-xdist each test of a module
    may land on another worker, and each worker would build the demo district again."""
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", wsgi_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 89
    failures = []
    for role in ROLES:
        # Each role starts from the demo as built: what the one before wrote (an ended role, a
        # revoked token) is rolled back.
        with transaction.atomic():
            failures += fuzz_as(role, operations, demo)
            transaction.set_rollback(True)
    assert not failures, "\n\n".join(failures)


def fuzz_as(role: str, operations: list, path_ids: dict) -> list[str]:
    """Every operation as the role's first demo account; the failures, each named."""
    user = account_of(role)
    _token, secret = services.api_token_create(actor=user, name="fuzz", scope="write")
    headers = {"Authorization": f"Bearer {secret}"}
    failures, answered = [], {}
    for operation in operations:

        @given(case=_strategy(operation, path_ids))
        @seed(zlib.crc32(f"{role} {operation.label}".encode()))
        @hypothesis_settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
            report_multiple_bugs=False,
        )
        def check(case):
            response = case.call(headers=headers)
            answered.setdefault(case.operation.label, set()).add(response.status_code)
            case.validate_response(response, checks=CHECKS, headers=headers)
            assert response.status_code < 500

        try:
            check()
        except Exception as error:  # noqa: BLE001 - collected and reported together
            failures.append(f"as {role}: {operation.method.upper()} {operation.path}: {error}")
    # Every operation was called; the role got past authentication to answers of several kinds.
    statuses = set().union(*answered.values())
    if len(answered) != len(operations) or 200 not in statuses or {401, 500} & statuses:
        failures.append(f"as {role}: operations called {len(answered)}, statuses {statuses}")
    return failures
