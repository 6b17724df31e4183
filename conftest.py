"""Test-wide fixtures: a small district built through the real services."""

import pytest


@pytest.fixture(autouse=True)
def _english_free_of_state(settings):
    # Tests see the product as a user does: Chinese by default.
    settings.LANGUAGE_CODE = "zh-hans"
