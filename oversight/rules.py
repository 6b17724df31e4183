"""The oversight permissions (the predicates and their querysets are in policies.py)."""

import rules

from core.rules import is_superuser
from oversight import policies as p

rules.add_perm("oversight.view_record", is_superuser | p.sees_record)
rules.add_perm("oversight.run_chain", is_superuser | p.runs_chain)
rules.add_perm("oversight.act_as_concerned", p.is_concerned)
rules.add_perm("oversight.view_result", is_superuser | p.sees_result)
rules.add_perm("oversight.object", p.objects_for)
rules.add_perm("oversight.approve_scheme", is_superuser | p.approves_schemes)
rules.add_perm("oversight.use", is_superuser | p.uses_oversight)


@rules.predicate
def _officer_somewhere(user) -> bool:
    return bool(p._officer_districts(user))


rules.add_perm("oversight.run_chain_anywhere", is_superuser | _officer_somewhere)
rules.add_perm("oversight.send_survey", is_superuser | p.sends_survey)
rules.add_perm("oversight.answer_survey", p.answers_survey)
