"""Meetings held are the community's self-government time in the burden index (issue #13
item 6), through workload.hooks: counted once held, in the local month of their start."""

import pytest
from django.utils import timezone

from core.models import Role
from deliberation import time_source
from deliberation.testing import held_meeting, noticed_meeting
from workload import hooks

pytestmark = pytest.mark.django_db


def test_a_held_meeting_is_self_government_time_and_a_noticed_one_is_not(world):
    d, other = world
    worker = d.users[f"{Role.COMMUNITY_WORKER}:own"]
    community = d.communities[0]
    people = [d.users["r1"].person, d.users["r2"].person]
    held = held_meeting(actor=worker, community=community, people=people)
    noticed_meeting(actor=worker, community=community, title="另一场听证会")
    month = timezone.localtime(held.starts_at).date().replace(day=1)

    rows = list(time_source.meetings_held([community.pk, other.communities[0].pk], month, month))
    assert rows == [(community.pk, month, "self_government", time_source.MEETING_MINUTES)]

    through_the_hook = hooks.external_minutes([community.pk], month, month)
    assert through_the_hook[(community.pk, month)]["self_government"] >= time_source.MEETING_MINUTES


def test_nothing_outside_the_months_asked(world):
    d, _other = world
    month = timezone.localtime(timezone.now()).date().replace(day=1)
    earlier = month.replace(year=month.year - 1)
    assert list(time_source.meetings_held([c.pk for c in d.communities], earlier, earlier)) == []
