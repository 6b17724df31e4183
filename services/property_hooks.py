"""Where the owners app answers the services app's questions about property companies (物业),
so services never imports owners (as workload.hooks does for community time).

owners fills it from its ``AppConfig.ready()``::

    from services import property_hooks
    property_hooks.register(owners.routing.Provider())

A provider answers:

- ``handler(*, community_id, compound_id=None, person_id=None, item_code="", day)``: the
  company in force on ``day`` for the compound (given, or the resident's home compound through
  the registry: residence → house → building → compound) of that community, with the working
  days it has to sign and to finish this item and their source; None when there is none;
- ``compounds(community_id, day)``: [(compound id, label)] of the community's compounds with a
  company in force (the choices of 转物业);
- ``companies_of(user)``: the ids of the companies the account acts for now.
"""

import datetime
from dataclasses import dataclass


@dataclass(frozen=True)
class Handler:
    company_id: int
    company_name: str
    compound_id: int
    accept_days: int
    finish_days: int
    source: str


class _Nobody:
    """No provider registered (owners not installed): no company handles anything."""

    def handler(self, **_keys) -> Handler | None:
        return None

    def compounds(self, community_id: int, day: datetime.date) -> list[tuple[int, str]]:
        return []

    def companies_of(self, user) -> set[int]:
        return set()


_provider = _Nobody()


def register(provider) -> None:
    global _provider
    _provider = provider


def handler(**keys) -> Handler | None:
    return _provider.handler(**keys)


def compounds(community_id: int, day: datetime.date) -> list[tuple[int, str]]:
    return _provider.compounds(community_id, day) if community_id else []


def companies_of(user) -> set[int]:
    """The companies the account acts for (read once per request, cached on the user)."""
    from core.models import Role
    from core.rules import assignments_of

    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_linli_property_companies", None)
    if cached is None:
        # Only an account placed as property staff acts for a company (no query for the rest).
        placed = any(a.role == Role.PROPERTY_STAFF for a in assignments_of(user))
        cached = set(_provider.companies_of(user)) if placed else set()
        user._linli_property_companies = cached
    return cached
