"""A small district with time-bank accounts, built once per module through the services."""

from dataclasses import dataclass

import pytest
from django.db import transaction
from django.test import override_settings

from core.testing import build_small_district
from timebank import services
from timebank.models import AccountKind
from timebank.testing import resident, years_ago


@dataclass
class Bank:
    d: object
    worker: object
    officer: object
    elder: object  # 70-year-old member, community 0
    young: object  # 30-year-old member, community 0
    near_60: object  # turns 60 tomorrow, community 0
    far: object  # member in community 2 (street B)
    team: object
    fund: object
    issuance: object


def build_bank(code="320104", name="秦淮区") -> Bank:
    d = build_small_district(code=code, name=name)
    worker = d.users["community_worker:own"]
    community = d.communities[0]
    people = {
        "elder": resident(actor=d.root, place=d.grids[0], name="王奶奶", birth=years_ago(70)),
        "young": resident(actor=d.root, place=d.grids[1], name="李志愿", birth=years_ago(30)),
        "near_60": resident(
            actor=d.root, place=d.grids[0], name="赵阿姨", birth=years_ago(60, days=-1)
        ),
        "far": resident(actor=d.root, place=d.grids[4], name="孙大爷", birth=years_ago(75)),
    }
    accounts = {k: services.member_account_open(actor=d.root, person=p) for k, p in people.items()}
    team = services.group_account_open(
        actor=worker, community=community, kind=AccountKind.TEAM, name="青年志愿队"
    )
    fund = services.group_account_open(
        actor=worker, community=community, kind=AccountKind.FUND, name="社区时间公益基金"
    )
    return Bank(
        d=d, worker=worker, officer=d.users["street_officer:own"], team=team, fund=fund,
        issuance=services.issuance_account(d.district), **accounts,
    )  # fmt: skip


def fast_hasher():
    return override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])


@pytest.fixture(scope="module")
def bank(django_db_setup, django_db_blocker, kind_of_day):
    # Module fixtures run before the project's function-scoped fast-hasher setting.
    with fast_hasher(), django_db_blocker.unblock(), transaction.atomic():
        yield build_bank()
        transaction.set_rollback(True)
