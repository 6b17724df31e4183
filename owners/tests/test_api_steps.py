"""The owners' decision as a table of steps (owners.steps) and the owners' JSON API: the page
offers exactly the available steps; the API reads compounds and decisions scoped as the pages,
takes the steps (same services, same refusals), and gives the published result with both
counts and the data's digest — no names, and nothing counted for a bystander before it is
published."""

import datetime

import pytest
import time_machine

from admission.tests.test_api import bearer, post
from core.models import AuditEvent
from core.tests import steps_contract as contract
from owners import services, steps
from owners.models import Ballot, Decision, RollEntry
from owners.tests.test_pages import DAY, world  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def _draft(d, compound):
    return services.decision_create(
        actor=d.users["community_worker:own"], compound=compound, matter="fund_use",
        title="使用维修资金更换电梯", text="动用专项维修资金更换6幢电梯。",
    )  # fmt: skip


def test_every_step_is_in_the_api_and_translated(world, client):  # noqa: F811
    d, _compound, _resident = world
    contract.check_api_has_every_step(
        client, d.users["community_worker:own"], steps.TABLE,
        "/api/owners/decisions/{decision_id}/steps/{name}",
    )  # fmt: skip
    contract.check_rows(steps.TABLE, set(Decision.State.values))


def test_the_page_offers_exactly_the_available_steps(world, client):  # noqa: F811
    d, compound, resident = world
    with time_machine.travel(DAY, tick=False):
        decision = _draft(d, compound)
        url = f"/owners/decisions/{decision.pk}/"
        worker = d.users["community_worker:own"]
        for state in ("draft", "frozen", "open", "closed", "published"):
            decision = Decision.objects.get(pk=decision.pk)
            assert decision.state == state
            for user in (worker, d.users["resident:own"]):
                client.force_login(user)
                html = client.get(url).content.decode()
                offered = {s.name for s in steps.TABLE.available(user, decision)}
                shown = {s.name for s in steps.STEPS if f'data-step="{s.name}"' in html}
                assert shown == offered, (state, user)
            assert not steps.TABLE.available(d.users["resident:own"], decision)
            if state == "open":
                for entry in RollEntry.objects.filter(decision=decision):
                    services.ballot_cast(actor=worker, decision=decision, entry=entry,
                                         choice="agree", channel="paper")  # fmt: skip
            [step] = steps.TABLE.available(worker, decision) or [None]
            if step is None:
                break
            step.run(actor=worker, decision=decision, data={})


def test_the_api_reads_runs_and_publishes(world):  # noqa: F811
    d, compound, _resident = world
    with time_machine.travel(DAY, tick=False):
        worker, resident = bearer(d.users["community_worker:own"]), bearer(d.users["resident:own"])
        outsider = bearer(d.users["community_worker:other"])
        decision = _draft(d, compound)
        assert [c["id"] for c in worker.get("/api/owners/compounds").json()["items"]] == [
            compound.pk
        ]
        assert outsider.get("/api/owners/compounds").json()["items"] == []
        assert outsider.get(f"/api/owners/decisions/{decision.pk}").status_code == 404
        listed = resident.get(f"/api/owners/compounds/{compound.pk}/decisions").json()
        assert [x["id"] for x in listed["items"]] == [decision.pk]  # the resident owns a part
        base = f"/api/owners/decisions/{decision.pk}/steps"
        before = (AuditEvent.objects.count(), Decision.objects.filter(state="open").count())
        refused = post(worker, f"{base}/open", {})
        assert refused.status_code == 422 and "冻结" in refused.json()["detail"]
        assert post(resident, f"{base}/freeze", {}).status_code == 403
        assert (AuditEvent.objects.count(), Decision.objects.filter(state="open").count()) == before
        assert post(worker, f"{base}/freeze", {}).json()["state"] == "frozen"
        assert post(worker, f"{base}/open", {}).json()["state"] == "open"
        for entry, choice in zip(RollEntry.objects.filter(decision=decision).order_by("label"),
                                 ("agree", "agree", "disagree"), strict=True):  # fmt: skip
            services.ballot_cast(actor=d.users["community_worker:own"], decision=decision,
                                 entry=entry, choice=choice, channel="paper")  # fmt: skip
        assert Ballot.objects.filter(decision=decision).count() == 3
        url = f"/api/owners/decisions/{decision.pk}/result"
        assert resident.get(url).json()["result"] is None  # not before it is published
        assert worker.get(url).json()["result"]["took_part"]["parts"] == 3  # counts so far
        post(worker, f"{base}/close", {})
        assert post(worker, f"{base}/publish", {}).json()["state"] == "published"
        result = resident.get(url).json()
        assert result["digest"] == Decision.objects.get(pk=decision.pk).tally_digest != ""
        counted = result["result"]
        assert counted["total"] == {"area": "270", "owners": 3, "parts": 3}
        assert counted["by_choice"]["agree"]["area"] == "190"
        assert "欧阳明" not in str(result)
    assert datetime.date(2026, 6, 10) == DAY.date()
