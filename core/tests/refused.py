"""Asserting a refusal by its code (the message is for people and may be reworded)."""

from contextlib import contextmanager

import pytest
from django.core.exceptions import ValidationError


@contextmanager
def refused(code: str, *, match: str | None = None):
    """The block raises a ValidationError with this code (and, where several refusals of one
    service share a code such as "required", a message matching `match`: the field it names)."""
    with pytest.raises(ValidationError, match=match) as refusal:
        yield refusal
    assert refusal.value.code == code
