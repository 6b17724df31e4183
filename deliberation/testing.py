"""Builders for deliberation's tests and demo: through the real services only."""

import datetime

from core import clock
from core import services as core_services
from core.models import Role
from core.testing import PASSWORD
from deliberation import services
from deliberation.models import MeetingKind, ParticipantRole


def prepare_district(d) -> None:
    """A test district (core.testing.SmallDistrict): default rules; residents r1–r3 in the first
    community's first grid (logins in ``d.users``), r1 and r2 its representatives with the own
    resident; a representative in the community of the second street too."""
    services.rules_seed(actor=d.root, district=d.district)
    base = 13900000000 + int(d.district.code) % 1000 * 1000
    for n in (1, 2, 3):
        person = core_services.person_register(
            actor=d.root, place=d.grids[0], name=f"居民{n}", mobile=str(base + n),
            password=PASSWORD, password_is_temporary=False, role=Role.RESIDENT,
        )  # fmt: skip
        d.users[f"r{n}"] = person.account
        d.logins[f"r{n}"] = str(base + n)
    worker = d.users[f"{Role.COMMUNITY_WORKER}:own"]
    elected = clock.today() - datetime.timedelta(days=100)
    ends = clock.today() + datetime.timedelta(days=1000)
    for key in ("r1", "r2", f"{Role.RESIDENT}:own"):
        services.representative_add(actor=worker, community=d.communities[0],
                                    person=d.users[key].person, elected_on=elected,
                                    term_ends_on=ends)  # fmt: skip


def noticed_meeting(
    *, actor, community, kind=MeetingKind.HEARING, title="停车收费听证会", days=None
):
    """A meeting announced in the past (the clock pinned back by its notice period), its time
    now past, so it may be held."""
    days = days if days is not None else 10
    now = clock.now()
    with clock.moment(now - datetime.timedelta(days=days)):
        meeting = services.meeting_create(
            actor=actor, community=community, kind=kind, title=title, topic="议事事项",
            venue="社区议事厅", starts_at=now - datetime.timedelta(hours=1),
        )  # fmt: skip
        services.agenda_add(actor=actor, meeting=meeting, title="议题一")
        services.meeting_notice(actor=actor, meeting=meeting)
    meeting.refresh_from_db()
    return meeting


def held_meeting(*, actor, community, people, kind=MeetingKind.HEARING, present=None, role=None):
    """A noticed meeting with ``people`` registered and the first ``present`` of them there."""
    meeting = noticed_meeting(actor=actor, community=community, kind=kind)
    role = role or (
        ParticipantRole.REPRESENTATIVE
        if kind == MeetingKind.REPRESENTATIVES
        else ParticipantRole.RESIDENT
    )
    ids = [
        services.participant_register(actor=actor, meeting=meeting, person=p, role=role).pk
        for p in people
    ]
    present = len(ids) if present is None else present
    return services.meeting_hold(actor=actor, meeting=meeting, attended=ids[:present],
                                 minutes="会议纪要")  # fmt: skip
