"""Log in by username (staff) or mobile number (residents), with lockout after failures."""

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.utils import timezone

from core import personal_data, services
from core.models import Person, User


def find_account(login: str) -> User | None:
    login = (login or "").strip()
    if not login:
        return None
    user = User.objects.filter(username__iexact=login).first()
    if user is not None:
        return user
    try:
        mobile_hash = personal_data.mobile_hash(login)
    except ValidationError:
        return None
    person = (
        Person.objects.select_related("account")
        .filter(mobile_hash=mobile_hash, account__isnull=False)
        .first()
    )
    return person.account if person else None


def is_locked(user: User) -> bool:
    return bool(user.locked_until and user.locked_until > timezone.now())


class UsernameOrMobileBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        user = find_account(username)
        if user is None:
            User().set_password(password or "")  # same work as a real check: no timing oracle
            return None
        if is_locked(user):
            return None
        if user.check_password(password or "") and self.user_can_authenticate(user):
            services.login_succeeded(user)
            return user
        services.login_failed(user)
        return None
