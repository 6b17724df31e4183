"""The demo's workforce gives every community a head: its first community-worker account
(qh-c001, qh-c002 …) is on file as the elected 正职 and keeps the community's staff, and a
second account (qh-c001-2) is a hired worker who is no head and sees only their own record."""

import pytest

from core import services as core_services
from core.models import Role
from core.testing import PASSWORD, build_small_district
from workforce import demo, workers
from workforce.models import Worker


@pytest.mark.django_db
def test_every_community_with_an_account_gets_a_head_and_a_second_account_is_not_one():
    d = build_small_district()
    community = d.communities[0]
    second = core_services.person_register(
        actor=d.root, place=community, name="第二个账号", username="c001-2", password=PASSWORD,
        password_is_temporary=False, role=Role.COMMUNITY_WORKER,
    ).account  # fmt: skip
    lines = []
    demo.build(district=d.district, builder=d.root, seed=2026, out=lines.append)
    for key in ("community_worker:own", "community_worker:other"):
        head = d.users[key]
        record = Worker.objects.get(person__account=head)
        assert head.has_perm("workforce.manage_workers", record.community), key
        team = set(workers.workers_visible_to(head).values_list("pk", flat=True))
        assert team == set(Worker.objects.filter(community=record.community).values_list("pk", flat=True))  # fmt: skip
        assert len(team) > 1
    mine = Worker.objects.get(person__account=second)
    assert mine.community == community and mine.postings.get().post == "other"
    assert not second.has_perm("workforce.view_workers")
    assert second.has_perm("workforce.view_worker", mine) and second.has_perm("workforce.view_own_record")  # fmt: skip
    colleague = Worker.objects.filter(community=community).exclude(pk=mine.pk).first()
    assert not second.has_perm("workforce.view_worker", colleague)
