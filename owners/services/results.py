"""Reading a counted decision's per-ballot data: allowed to the compound's owners and to those
who run the vote, and each reading audited (the file sets each house's area beside its choice)."""

from django.utils.translation import gettext as _

from core import audit
from core.clock import one_write
from core.validation import require_perm
from owners.models import Decision
from owners.services.common import require_state

S = Decision.State


@one_write
def ballots_read(*, actor, decision: Decision) -> dict:
    """The per-ballot file of a counted decision (data, result, digest), recorded as read."""
    require_perm(actor, "owners.see_ballots", decision,
                 _("逐票计票数据只向本小区业主和组织表决的工作人员提供。"))  # fmt: skip
    require_state(decision, S.CLOSED, S.PUBLISHED, message=_("计票后才有逐票数据。"))
    audit.record(actor=actor, action="owners.ballots_read", obj=decision,
                 changes={"digest": decision.tally_digest},
                 purpose=str(_("核对计票")))  # fmt: skip
    return decision.tally
