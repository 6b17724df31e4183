"""Every write of the owners app (compounds, parts, thresholds, decisions, committees, contracts)."""

from owners.services.committees import (
    committee_elect,
    committee_file,
    committee_prepare,
    contract_record,
)
from owners.services.compounds import (
    building_add,
    compound_create,
    parse_area,
    part_set,
    rule_create,
    rules_seed,
)
from owners.services.decisions import (
    ballot_cast,
    decision_close,
    decision_create,
    decision_open,
    decision_publish,
    my_tokens,
    owner_key,
    proxy_record,
    publish_data,
    roll_freeze,
    rule_in_force,
)
from owners.services.results import ballots_read

__all__ = [
    "ballot_cast", "ballots_read", "building_add", "committee_elect", "committee_file",
    "committee_prepare", "compound_create", "contract_record", "decision_close",
    "decision_create", "decision_open", "decision_publish", "my_tokens", "owner_key",
    "parse_area", "part_set", "proxy_record", "publish_data", "roll_freeze", "rule_create",
    "rule_in_force", "rules_seed",
]  # fmt: skip
