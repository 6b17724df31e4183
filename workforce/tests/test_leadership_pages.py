"""The pages and the API follow test_leadership's rules: a head's forms offer ordinary posts
only, a 副职 colleague's file has no change of post, leaving or early end of term (with the
reason shown), the head's own file opens read-only with a note; posts forced through the
forms anyway are refused and write nothing. The street sees every form and post."""

import datetime

import pytest
from django.urls import reverse

from core.models import AuditEvent, Person
from workforce.models import Contract, Leave, Posting, Term, Worker

D = datetime.date
TABLES = [Worker, Person, Posting, Contract, Term, Leave, AuditEvent]
OWN_NOTE = "这是您本人的档案：由街道或区里登记维护"
LEADER_NOTE = "该社区工作者现任正职或副职：岗位变动、离职和提前离任由街道或区里办理"


def counts():
    return [m.objects.count() for m in TABLES]


@pytest.fixture
def team(d, enrol, head):
    """The head (正职, community_worker:own), an ordinary colleague and a hired 副职."""
    return {"head": head, "colleague": enrol(name="王芳"),
            "deputy": enrol(name="李强", post="deputy", title="居委会副主任")}  # fmt: skip


def _file(client, worker):
    response = client.get(reverse("workforce:worker", args=[worker.pk]))
    assert response.status_code == 200
    return response


def _posts(response, form="posting") -> set:
    return {value for value, _label in response.context["forms"][form].fields["post"].choices}


def test_the_head_gives_ordinary_posts_and_leaves_leaders_to_the_street(d, team, client):
    client.force_login(d.users["community_worker:own"])
    colleague = _file(client, team["colleague"])
    assert _posts(colleague) == {"member", "other"}
    assert "grade_fixed" not in colleague.context["forms"]["posting"].fields  # the district's
    assert {"posting", "exit", "leave", "contract"} <= set(colleague.context["forms"])
    assert LEADER_NOTE not in colleague.content.decode()
    deputy = _file(client, team["deputy"])
    assert set(deputy.context["forms"]) == {"contract", "term", "leave", "qualification"}
    assert LEADER_NOTE in deputy.content.decode()
    roster = client.get(reverse("workforce:workers"))
    assert {value for value, _label in roster.context["form"].fields["post"].choices} == {"member", "other"}  # fmt: skip


def test_the_heads_own_file_is_read_only(d, team, client):
    client.force_login(d.users["community_worker:own"])
    own = _file(client, team["head"])
    assert own.context["forms"] == {} and OWN_NOTE in own.content.decode()
    assert client.get(reverse("workforce:me")).status_code == 200
    before = counts()
    url = reverse("workforce:worker", args=[team["head"].pk])
    response = client.post(url, {"action": "leave", "kind": "personal", "starts_on": "2024-05-06",
                                 "ends_on": "2024-05-08"})  # fmt: skip
    assert response.status_code == 200 and counts() == before
    api = client.get(f"/api/workforce/workers/{team['head'].pk}")
    assert api.status_code == 200 and api.json()["post"] == "chief"


def test_leadership_forced_through_the_forms_is_refused_and_writes_nothing(d, team, client):
    client.force_login(d.users["community_worker:own"])
    before = counts()
    colleague = reverse("workforce:worker", args=[team["colleague"].pk])
    response = client.post(colleague, {"action": "posting", "post": "deputy", "title": "副主任",
                                       "starts_on": "2024-01-01"})  # fmt: skip
    assert response.status_code == 200 and response.context["forms"]["posting"].errors["post"]
    deputy = reverse("workforce:worker", args=[team["deputy"].pk])
    contract = team["deputy"].contracts.get()
    for action in (
        {"action": "exit", "contract": contract.pk, "exited_on": "2024-06-30", "reason": "resigned"},
        {"action": "posting", "post": "other", "title": "网格员", "starts_on": "2024-01-01"},
    ):  # fmt: skip
        assert client.post(deputy, action).status_code == 200
    enrol = client.post(reverse("workforce:workers"), {
        "community": d.communities[0].pk, "name": "新书记", "kind": "hired", "education": "master",
        "service_start": "2020-01-01", "post": "chief", "title": "书记", "starts_on": "2024-01-01",
    })  # fmt: skip
    assert enrol.status_code == 200 and enrol.context["form"].errors["post"]
    assert counts() == before
    assert team["deputy"].postings.get().post == "deputy" and not contract.exited_on


def test_the_street_keeps_leaders(d, team, client):
    client.force_login(d.users["street_officer:own"])
    deputy = _file(client, team["deputy"])
    assert {"posting", "exit", "contract"} <= set(deputy.context["forms"])
    assert _posts(deputy) == {"chief", "deputy", "member", "other"}
    roster = client.get(reverse("workforce:workers"))
    assert {value for value, _label in roster.context["form"].fields["post"].choices} == {"chief", "deputy", "member", "other"}  # fmt: skip
    assert LEADER_NOTE not in deputy.content.decode()
    client.force_login(d.users["coordinator:own"])
    assert "grade_fixed" in _file(client, team["deputy"]).context["forms"]["posting"].fields
    client.force_login(d.users["street_officer:own"])
    url = reverse("workforce:worker", args=[team["deputy"].pk])
    response = client.post(url, {"action": "posting", "post": "chief", "title": "居委会主任",
                                 "starts_on": "2024-01-01"})  # fmt: skip
    assert response.status_code == 302
    assert team["deputy"].postings.filter(ends_on__isnull=True).get().post == "chief"


def test_the_api_writes_no_worker_file(client, d):
    """The workforce API reads files (the same view rules as the pages) and writes surge work
    only: contracts, posts, terms and leave change through the pages' services alone."""
    paths = client.get("/api/openapi.json").json()["paths"]
    writes = {
        path
        for path, operations in paths.items()
        if path.startswith("/api/workforce/")
        and set(operations) & {"post", "put", "patch", "delete"}
    }
    assert writes and all(path.startswith("/api/workforce/surge") for path in writes), writes
