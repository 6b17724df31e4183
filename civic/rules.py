"""civic's permissions, registered from the predicates of civic.policies."""

import rules

from civic import policies as p
from core.rules import is_superuser


def _pred(func, name):
    return rules.predicate(func, name=name)


rules.add_perm("civic.view_org", is_superuser | _pred(p.sees_org, "sees_org"))
rules.add_perm("civic.act_for_org", is_superuser | _pred(p.acts_for_org, "acts_for_org"))
rules.add_perm("civic.file_org", is_superuser | _pred(p.files_at, "files_at"))
rules.add_perm("civic.manage_org", is_superuser | _pred(p.manages_org, "manages_org"))
rules.add_perm("civic.run_base", is_superuser | _pred(p.runs_base, "runs_base"))
rules.add_perm("civic.run_fund", is_superuser | _pred(p.runs_fund, "runs_fund"))
rules.add_perm("civic.view_call", is_superuser | _pred(p.sees_call, "sees_call"))
rules.add_perm("civic.view_application", is_superuser | _pred(p.sees_application, "sees_app"))


# Who the menu offers civic to: the staff who see organisations, their members, the district's
# departments (reviewers and contracting bodies). No query: the roles are already loaded.
MENU_ROLES = p.ORG_VIEWERS | {p.R.SOCIAL_ORG_MEMBER, p.R.DEPARTMENT_OFFICER}


@rules.predicate
def sees_civic(user) -> bool:
    return bool(p.role_places(user, MENU_ROLES))


rules.add_perm("civic.view", is_superuser | sees_civic)
rules.add_perm("civic.view_contract", is_superuser | _pred(p.sees_contract, "sees_contract"))
rules.add_perm("civic.deliver_contract", _pred(p.delivers, "delivers"))
rules.add_perm("civic.rate_contract", _pred(p.rates_contract, "rates_contract"))
rules.add_perm("civic.end_contract", is_superuser | _pred(p.signs_for, "signs_for"))


@rules.predicate
def sees_contracts(user) -> bool:
    """The menu's 购买服务: civic's menu roles and residents (who rate the services their
    community receives). No query: the roles are already loaded."""
    return bool(p.role_places(user, MENU_ROLES | {p.R.RESIDENT}))


rules.add_perm("civic.view_contracts", is_superuser | sees_contracts)
