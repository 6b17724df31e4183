"""Where a published decision goes besides the app's own public page (readable without login,
``deliberation:public``): the community channel (h2's ``channel`` app), as a post of kind
``deliberation_result`` — one per decision (idempotent by its source), its followers told."""

from django.urls import reverse
from django.utils.translation import gettext as _

from channel import services as channel_services
from core import clock


def publish_decision(*, actor, decision) -> None:
    """Called inside ``meeting_publish``'s write for each decision of the meeting."""
    meeting = decision.meeting
    title = _("%(kind)s决定：%(title)s") % {"kind": meeting.get_kind_display(),
                                           "title": decision.title}  # fmt: skip
    body = _("%(text)s\n\n%(meeting)s（%(day)s）表决：赞成%(f)d，反对%(a)d，弃权%(s)d；到会%(p)d人，"
             "应到%(b)d人。%(result)s。\n落实进度：%(url)s") % {
        "text": decision.text, "meeting": meeting.title,
        "day": clock.shown(meeting.starts_at, "%Y-%m-%d"),
        "f": decision.votes_for, "a": decision.votes_against, "s": decision.votes_abstain,
        "p": decision.present, "b": decision.base,
        "result": _("通过") if decision.passed else _("未通过"),
        "url": reverse("deliberation:public_decision", args=[decision.pk]),
    }  # fmt: skip
    channel_services.publish_deliberation_result(
        actor=actor, community=decision.community, title=title[:100], body=body[:5000],
        source=f"deliberation.decision:{decision.pk}",
    )  # fmt: skip
