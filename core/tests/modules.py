"""Rows a whole test module shares: built once, rolled back after the module."""

from contextlib import contextmanager

from django.db import transaction
from django.test import override_settings

# Password hashing strength is not under test; module fixtures run before the function-scoped
# setting of the root conftest, so they ask for the fast hasher themselves.
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@contextmanager
def rolled_back_after(django_db_blocker):
    """For a module-scoped fixture: the block may use the database (with the fast hasher), in a
    transaction rolled back when the block ends: ``with rolled_back_after(blocker): yield rows``."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHER):
        with transaction.atomic():
            yield
            transaction.set_rollback(True)
