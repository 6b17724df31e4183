"""Residents open their own account: sign up with a mobile number, an SMS code and a password;
reset a forgotten password the same way; ask to be linked to their registry record, which a
community worker of their community approves or refuses (issue #15 item 5).

A sign-up gives an account with no role and no registry record: it may only ask for the link.
The approval links the account to the person (core.Person.account) and gives the resident role
where the person lives. Staff accounts keep their own flow: no code is ever sent to reset one,
and a reset code is refused for an account that holds a staff role.

Neither page tells whose number it is: to a number that already has an account, the sign-up
sends a text saying so instead of a code; to a number without a resident account, a reset
sends nothing (a staff number is told by text to ask an administrator). The page reads the same.
"""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from core import audit, auth, clock, field_crypto, personal_data
from core.clock import one_write
from core.identifiers import mask_mobile, normalize_mobile
from core.models import (
    AccountLink,
    AccountMobile,
    CodePurpose,
    LinkState,
    Person,
    Place,
    PlaceLevel,
    Role,
    TokenRevocation,
    User,
)
from core.rules import is_staff_member
from core.services.people import role_assign
from core.services.sms_codes import SmsGate, code_claim, code_send, code_take, deliver
from core.services.tokens import revoke_tokens_of
from core.validation import clean_name, clean_text

# ---------------------------------------------------------------- sending codes


def _is_staff_account(user: User) -> bool:
    return user.is_superuser or user.is_staff or is_staff_member(user)


@one_write
def _audit_send(*, action: str, gate: SmsGate, user: User | None = None) -> None:
    audit.record(actor=None, action=action, obj=user, changes={"mobile": gate.masked})


def signup_code_send(*, gate: SmsGate) -> None:
    """A sign-up code to the gate's number; to a number that already has an account, a text
    saying so (and how to reset the password) instead."""
    if auth.account_by_mobile(gate.mobile_hash) is None:
        code_send(gate=gate, purpose=CodePurpose.SIGNUP)
        return
    gate.admit()
    deliver(
        gate=gate,
        text=_("这个手机号已经注册过邻里账号，请直接登录；忘记密码可在登录页选择“忘记密码”。"),
    )
    _audit_send(action="account.signup_duplicate", gate=gate)


def reset_code_send(*, gate: SmsGate) -> None:
    """A reset code to a resident account's number. A staff number is told by text to ask an
    administrator; a number without an account gets nothing. Every case counts against the pace."""
    account = auth.account_by_mobile(gate.mobile_hash)
    if account is None or not account.is_active:
        gate.admit()
        return
    if _is_staff_account(account):
        gate.admit()
        deliver(gate=gate, text=_("工作人员账号不能用短信找回密码，请联系为您开通账号的管理员。"))
        _audit_send(action="account.reset_refused_staff", gate=gate, user=account)
        return
    code_send(gate=gate, purpose=CodePurpose.RESET, user=account)


# ---------------------------------------------------------------- sign up and reset


def _number(mobile: str) -> tuple[str, str]:
    value = normalize_mobile(mobile)
    return value, personal_data.mobile_hash(value)


def _username_for(number_hash: str) -> str:
    base = f"m{number_hash[:12]}"
    username, n = base, 1
    while User.objects.filter(username__iexact=username).exists():
        n += 1
        username = f"{base}{n}"
    return username


def _check_new_password(password: str, password2: str, user: User) -> None:
    if password != password2:
        raise ValidationError(_("两次输入的密码不一致。"), code="password_mismatch")
    validate_password(password, user=user)


def resident_signup(*, mobile: str, code: str, password: str, password2: str) -> User:
    """A new resident account signing in with ``mobile``, proved by the sign-up code."""
    number, number_hash = _number(mobile)
    _check_new_password(password, password2, User(username=number))
    row = code_claim(number_hash=number_hash, purpose=CodePurpose.SIGNUP)
    return _signup(row=row, code=code, number=number, number_hash=number_hash, password=password)


@one_write
def _signup(*, row, code: str, number: str, number_hash: str, password: str) -> User:
    code_take(row=row, typed=code)
    duplicate = ValidationError(
        _("这个手机号已经注册过账号，请直接登录；忘记密码可用短信找回。"), code="duplicate_account"
    )
    if auth.account_by_mobile(number_hash) is not None:
        raise duplicate
    now = clock.now()
    user = User(username=_username_for(number_hash), password_changed_at=now)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
            AccountMobile.objects.create(
                user=user,
                mobile_enc=field_crypto.encrypt(number),
                mobile_hash=number_hash,
                mobile_masked=mask_mobile(number),
                verified_at=now,
            )
    except IntegrityError:
        raise duplicate from None  # the same number signed up a moment ago
    audit.record(
        actor=user, action="account.signup", obj=user, changes={"mobile": mask_mobile(number)}
    )
    return user


def password_reset(*, mobile: str, code: str, password: str, password2: str) -> User:
    """Set a new password for the resident account of ``mobile``, proved by the reset code."""
    number, number_hash = _number(mobile)
    account = auth.account_by_mobile(number_hash)
    if account is None:
        raise ValidationError(_("请先获取短信验证码。"), code="sms_code_missing")
    _check_new_password(password, password2, account)
    row = code_claim(number_hash=number_hash, purpose=CodePurpose.RESET, user=account)
    return _reset(row=row, code=code, account=account, password=password)


@one_write
def _reset(*, row, code: str, account: User, password: str) -> User:
    code_take(row=row, typed=code)
    account = User.objects.select_for_update().get(pk=account.pk)
    if _is_staff_account(account):
        raise PermissionDenied(
            _("工作人员账号不能用短信验证码重置密码，请联系为您开通账号的管理员。")
        )
    account.set_password(password)
    account.password_changed_at = clock.now()
    account.must_change_password = False
    account.save(update_fields=["password", "password_changed_at", "must_change_password"])
    audit.record(actor=account, action="account.password_reset_sms", obj=account)
    revoke_tokens_of(actor=account, user=account, because=TokenRevocation.PASSWORD)
    return account


# ---------------------------------------------------------------- the link to the registry


def linked_person(user: User) -> Person | None:
    return Person.objects.filter(account=user).first()


@one_write
def account_link_request(*, actor: User, community: Place, name: str, id_number: str):
    """Ask to be linked to one's registry record in ``community`` (name and ID number as
    registered). One request waits at a time; an account already linked asks no more."""
    if not actor.is_authenticated:
        raise PermissionDenied(_("请先登录。"))
    if linked_person(actor) is not None:
        raise ValidationError(_("您的账号已关联居民信息。"), code="already_linked")
    if AccountLink.objects.filter(user=actor, state=LinkState.PENDING).exists():
        raise ValidationError(_("您已提交过关联申请，请等待社区核实。"), code="link_pending")
    community = Place.objects.filter(pk=getattr(community, "pk", None)).first()
    if community is None or community.level != PlaceLevel.COMMUNITY or not community.is_active:
        raise ValidationError(_("请选择您居住的社区。"), code="community_required")
    probe = Person()
    personal_data.set_id_number(probe, id_number)  # a clear message for a malformed number
    link = AccountLink.objects.create(
        user=actor,
        community=community,
        name=clean_name(name, _("姓名")),
        id_number_hash=probe.id_number_hash,
        id_number_masked=probe.id_number_masked,
        person=Person.objects.filter(id_number_hash=probe.id_number_hash).first(),
    )
    audit.record(
        actor=actor, action="account.link_requested", obj=link, place=community,
        changes={"name": link.name, "id_number": link.id_number_masked, "on_file": bool(link.person_id)},
    )  # fmt: skip
    return link


def _pending(actor: User, link: AccountLink) -> AccountLink:
    link = AccountLink.objects.select_for_update().select_related("community").get(pk=link.pk)
    if not actor.has_perm("core.review_account_link", link):
        raise PermissionDenied(_("只有该社区的社区工作者可以核实居民账号关联。"))
    if link.state != LinkState.PENDING:
        raise ValidationError(_("这个关联申请已经处理过了。"), code="link_decided")
    return link


def _decided(link: AccountLink, actor: User, state: str, note: str = "") -> None:
    link.state, link.note = state, note
    link.decided_at, link.decided_by = clock.now(), actor
    link.save(update_fields=["state", "note", "decided_at", "decided_by", "person"])


@one_write
def account_link_approve(*, actor: User, link: AccountLink) -> AccountLink:
    """Link the account to the registry record with the ID number it gave, and make it a
    resident where that person lives."""
    link = _pending(actor, link)
    person = Person.objects.select_for_update().filter(id_number_hash=link.id_number_hash).first()
    if person is None:
        raise ValidationError(
            _("居民信息中没有这个身份证号，不能关联。请核实后拒绝，或先登记该居民。"),
            code="link_not_on_file",
        )
    if person.place is None or not person.place.is_within(link.community):
        raise ValidationError(_("该居民登记在其他社区，不能在本社区关联。"), code="link_elsewhere")
    if person.account_id is not None:
        raise ValidationError(_("该居民已有登录账号，不能再关联。"), code="link_has_account")
    if linked_person(link.user) is not None:
        raise ValidationError(_("这个账号已关联了居民信息。"), code="already_linked")
    person.account = link.user
    person.save(update_fields=["account"])
    link.person = person
    _decided(link, actor, LinkState.APPROVED)
    role_assign(actor=actor, user=link.user, role=Role.RESIDENT, place=person.place)
    audit.record(
        actor=actor, action="account.link_approved", obj=link, place=link.community,
        changes={"person": person.pk, "name": person.name},
    )  # fmt: skip
    _tell(link, "core.account_linked", url=reverse("workbench"))
    return link


@one_write
def account_link_refuse(*, actor: User, link: AccountLink, reason: str) -> AccountLink:
    """Refuse a link request, saying why (the resident reads it and may ask again)."""
    link = _pending(actor, link)
    reason = clean_text(reason, _("不通过的原因"), limit=200)
    _decided(link, actor, LinkState.REFUSED, reason)
    audit.record(
        actor=actor, action="account.link_refused", obj=link, place=link.community,
        changes={"reason": reason},
    )  # fmt: skip
    _tell(link, "core.account_link_refused", url=reverse("account_link"), reason=reason)
    return link


def _tell(link, kind: str, *, url: str, **params) -> None:
    """The resident hears the decision on their link (notify kinds, read in their language)."""
    from notify import services as notify

    notify.send(kind=kind, recipients=[link.user], params=params, url=url, subject=link)
