"""Personal data at rest: encrypted, findable by keyed hash, masked, and audited on full view."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core import audit, field_crypto
from core.identifiers import mask_id_number, mask_mobile, normalize_id_number, normalize_mobile
from core.models import Person

FIELDS = ("id_number", "mobile")


# Which cipher and hash, and their keys, is core.field_crypto's (chosen by setting).
encrypt = field_crypto.encrypt
decrypt = field_crypto.decrypt
keyed_hash = field_crypto.keyed_hash


def id_number_hash(raw: str) -> str:
    return keyed_hash("id:" + normalize_id_number(raw))


def mobile_hash(raw: str) -> str:
    return keyed_hash("mobile:" + normalize_mobile(raw))


def set_id_number(person: Person, raw: str) -> None:
    """Validate and store (unsaved) an ID number; fills gender and birth date if empty."""
    value = normalize_id_number(raw)
    person.id_number_enc = encrypt(value)
    person.id_number_hash = keyed_hash("id:" + value)
    person.id_number_masked = mask_id_number(value)
    from stdnum.cn import ric

    person.birth_date = person.birth_date or ric.get_birth_date(value)
    if not person.gender:
        person.gender = "M" if int(value[16]) % 2 else "F"


def set_mobile(person: Person, raw: str) -> None:
    value = normalize_mobile(raw)
    person.mobile_enc = encrypt(value)
    person.mobile_hash = keyed_hash("mobile:" + value)
    person.mobile_masked = mask_mobile(value)


def find_by_id_number(raw: str) -> Person | None:
    return Person.objects.filter(id_number_hash=id_number_hash(raw)).first()


def reveal(*, actor, person: Person, field: str, purpose: str) -> str:
    """The full value of a personal field, for an actor allowed to see it, with the purpose logged."""
    if field not in FIELDS:
        raise ValidationError(_("未知的个人信息字段。"))
    purpose = (purpose or "").strip()
    if len(purpose) < 2:
        raise ValidationError(_("查看完整个人信息须说明用途。"), code="purpose_required")
    if not actor.has_perm("core.view_person_full", person):
        raise PermissionDenied(_("您无权查看此人的完整个人信息。"))
    token = getattr(person, f"{field}_enc")
    if not token:
        return ""
    with transaction.atomic():
        audit.record(
            actor=actor,
            action=f"person.reveal_{field}",
            obj=person,
            purpose=purpose,
        )
    return decrypt(token)


def rotation_target():
    """What core stores encrypted, for core.key_rotation: a person's ID and mobile numbers."""
    from core.key_rotation import Sealed, Target

    return Target(
        label="core.person",
        queryset=lambda: Person.objects.all(),
        fields=(
            Sealed("id_number_enc", "id_number_hash", lambda _row, v: keyed_hash("id:" + v)),
            Sealed("mobile_enc", "mobile_hash", lambda _row, v: keyed_hash("mobile:" + v)),
        ),
    )


def mobile_for_message(person: Person) -> str:
    """The full mobile number of ``person``, for a text message the system sends them
    (notify's SMS channel). Nobody sees it, so it is not a view and not audited; "" if none."""
    return decrypt(person.mobile_enc) if person.mobile_enc else ""
