"""The deliberation permissions (the predicates and their querysets are in policies.py)."""

import rules

from core.rules import is_superuser
from deliberation import policies as p

rules.add_perm("deliberation.use", is_superuser | p.uses_deliberation)
rules.add_perm("deliberation.view_community", is_superuser | p.sees_community)
rules.add_perm("deliberation.view_meeting", is_superuser | p.sees_meeting)
rules.add_perm("deliberation.view_proposal", is_superuser | p.sees_proposal)
rules.add_perm("deliberation.view_decision", is_superuser | p.sees_decision)
rules.add_perm("deliberation.view_people", is_superuser | p.staff_sees)
rules.add_perm("deliberation.convene", is_superuser | p.convenes)
rules.add_perm("deliberation.take_part", p.lives_in)
rules.add_perm("deliberation.withdraw", p.proposed)
rules.add_perm("deliberation.set_rules", is_superuser | p.sets_rules)
rules.add_perm("deliberation.set_any_rules", is_superuser | p.sets_rules_somewhere)
rules.add_perm(
    "deliberation.see_rules", is_superuser | p.uses_deliberation | p.sets_rules_somewhere
)
