"""One small district per test module, with the default lists loaded; each test rolls back."""

import datetime

import pytest
from django.db import transaction
from django.test import override_settings

from admission import services
from core.testing import build_small_district


@pytest.fixture(scope="module")
def d(django_db_setup, django_db_blocker):
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        district = build_small_district()
        services.lists_seed(actor=district.root, district=district.district)
        yield district
        transaction.set_rollback(True)


@pytest.fixture
def officer(d):
    return d.users["department_officer:own"]


@pytest.fixture
def coordinator(d):
    return d.users["coordinator:own"]


def application(d, officer, **overrides):
    """Keyword arguments of a complete, harmless application."""
    today = services.local_today()
    values = {
        "actor": officer,
        "department": d.departments[0],
        "kind": "work_item",
        "title": "高龄津贴申报材料收集",
        "description": "每季度收集辖区80岁以上老人的高龄津贴申报材料。",
        "legal_basis": "《中华人民共和国老年人权益保障法》",
        "cited_entry": None,
        "communities": d.communities[:2],
        "frequency": "quarterly",
        "minutes_per_community": 240,
        "funding_fen": 500_000,
        "period_start": today,
        "period_end": today + datetime.timedelta(days=365),
        "submit_token": "token-1",
    }
    values.update(overrides)
    return values
