"""The suite's own hooks leave no database connection behind: pytest-django drops each worker's
PostgreSQL test database at the end, and a connection still open then stops the drop ("database
test_linli_ci_gw0 is being accessed by other users")."""

import pytest
from django.db import connection

from conftest import reseed_default_rules
from services.models import ServiceRule
from services.rule_defaults import RULES as SERVICE_RULES
from timebank.defaults import RULES
from timebank.models import Rule


@pytest.mark.django_db(transaction=True)
def test_putting_back_the_seeded_rules_closes_the_connection_it_opened():
    Rule.objects.filter(district=None, code=RULES[0]["code"]).delete()  # as a flush would
    connection.close()  # as Django does when a transactional test ends
    reseed_default_rules()
    if not (connection.vendor == "sqlite" and connection.is_in_memory_db()):
        # (SQLite's in-memory test database lives in its one connection, never closed.)
        assert connection.connection is None, "the re-seed left its connection open"
    assert Rule.objects.filter(district=None, code=RULES[0]["code"]).exists()
    assert ServiceRule.objects.filter(district=None).count() >= len(SERVICE_RULES)
