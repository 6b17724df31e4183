"""Facts and conflicts (一数一源): every value about a person with its source, time and author.

`fact_record` stores a value with its source. The value shown is the owning department's; a value
from another source that disagrees opens a conflict (数据打架) routed to the owner, and the owner's
value stays shown until the conflict is settled (`conflict_settle`).
"""

import datetime
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from core import audit, clock, personal_data
from core.clock import one_write
from core.models import Department, Person, Place, PlaceLevel
from core.rules import officer_departments
from core.validation import require_perm as _require
from registry import bulk, defaults, values
from registry.models import Conflict, Fact, Field, Residence
from registry.services.fields import ensure_fields
from registry.services.residences import is_separated


def source_label(source: Department | None) -> str:
    return source.name if source else _("社区采集")


def _new_fact(**values) -> Fact:
    """A new, unsaved Fact with its columns set directly (an import makes millions)."""
    return bulk.unsaved(Fact, **values)


class FactWriter:
    """Records many facts with few queries: load the existing facts of a set of people once,
    decide each new value in memory, then write demotions, new facts and conflicts in bulk.

    The rules (一数一源): a source repeating itself changes nothing; the owner's value is shown
    (and settles open conflicts on that field); a non-owner's value is shown only while nothing
    else is; a non-owner value that disagrees with the shown one opens a conflict for the owner.
    """

    def __init__(self, *, author, batch=None):
        self.author = _u(author)
        self.batch = batch
        self.facts: dict[tuple[int, int], list[Fact]] = {}
        self.new: list[Fact] = []
        self.demote: list[int] = []
        self.conflicts: list[tuple[Fact, Fact, Field, Person, Place | None]] = []
        self.settle: list[tuple[int, int]] = []
        self.mirrors: list[tuple[Person, Field, values.Clean]] = []

    def load(self, person_ids, fields) -> None:
        for fact in Fact.objects.filter(
            person_id__in=person_ids, field__in=fields
        ).select_for_update():
            self.facts.setdefault((fact.person_id, fact.field_id), []).append(fact)

    def add(
        self, *, person, field, clean, source, label="", community=None
    ) -> tuple[str, Fact | None]:
        digest = values.value_hash(field.key, clean.value)
        source_id = source.pk if source else None
        facts = self.facts.setdefault((person.pk, field.pk), [])
        current = next((f for f in facts if f.is_current), None)
        if _said_already(facts, current, source_id, digest):
            return "unchanged", None
        fact = _new_fact(
            district_id=person.district_id, community_id=community.pk if community else None,
            person_id=person.pk, field_id=field.pk, value=clean.shown[:200], value_hash=digest,
            value_enc=(clean.enc or personal_data.encrypt(clean.value)) if field.sensitive else "",
            source_id=source_id, source_label=label or source_label(source),
            author_id=self.author.pk if self.author else None,
            batch_id=self.batch.pk if self.batch else None, is_current=False,
        )  # fmt: skip
        facts.append(fact)
        self.new.append(fact)
        is_owner = source_id == field.owner_id
        if current is None or (is_owner and current.value_hash != digest):
            self._show(fact, current, person, field, clean)
            return "current", fact
        if current.value_hash == digest or (
            field.key == "birth_date" and _same_month(current.value, clean.value)
        ):
            return "agrees", fact
        self.conflicts.append((current, fact, field, person, community))
        return "conflict", fact

    def _show(self, fact: Fact, current: Fact | None, person, field, clean) -> None:
        """`fact` becomes the value shown: the one shown before steps down (and the open
        conflicts on the field are settled), the person's own columns follow."""
        if current is not None:
            current.is_current = False
            if current.pk:
                self.demote.append(current.pk)
            self.settle.append((person.pk, field.pk))
        fact.is_current = True
        self.mirrors.append((person, field, clean))

    def flush(self) -> list[Conflict]:
        if self.demote:
            Fact.objects.filter(pk__in=self.demote).update(is_current=False)
        for person_id, field_id in self.settle:
            Conflict.objects.filter(
                person_id=person_id, field_id=field_id, status=Conflict.Status.OPEN
            ).update(status=Conflict.Status.SETTLED, settled_at=clock.now(),
                     note=_("权威来源部门已更新"))  # fmt: skip
        bulk.insert(Fact, self.new)
        conflicts = Conflict.objects.bulk_create(
            Conflict(
                district_id=person.district_id,
                community=community or community_of(person),
                person=person,
                field=field,
                owner_id=field.owner_id,
                shown=shown,
                challenger=fact,
            )
            for shown, fact, field, person, community in self.conflicts
        )
        by_person: dict[int, list] = {}
        for person, field, clean in self.mirrors:
            if field.key in defaults.RESIDENCE_FIELDS:
                by_person.setdefault(person.pk, []).append((field.key, clean.value))
            else:
                _mirror(person, field, clean)
        if by_person:
            changed = []
            for residence in Residence.objects.filter(person_id__in=by_person):
                before = [getattr(residence, k) for k in defaults.RESIDENCE_FIELDS]
                before.append(residence.separated)
                for key, value in by_person[residence.person_id]:
                    setattr(residence, key, value)
                residence.separated = is_separated(residence)
                after = [getattr(residence, k) for k in defaults.RESIDENCE_FIELDS]
                if after + [residence.separated] != before:
                    changed.append(residence)
            Residence.objects.bulk_update(changed, [*defaults.RESIDENCE_FIELDS, "separated"])
        self.new, self.demote, self.conflicts, self.settle, self.mirrors = [], [], [], [], []
        self.facts = {}
        return conflicts


def _said_already(facts: list[Fact], current: Fact | None, source_id, digest: str) -> bool:
    """This source said this value before, and saying it again would change nothing: nothing
    is shown, the value shown is this one, or another source's value is shown (it stays)."""
    if not any(f.source_id == source_id and f.value_hash == digest for f in facts):
        return False
    return current is None or current.value_hash == digest or current.source_id != source_id


def record_fact(
    *,
    author,
    person: Person,
    field: Field,
    clean: values.Clean,
    source: Department | None,
    label: str = "",
    community: Place | None = None,
    batch=None,
) -> tuple[str, Fact | None, Conflict | None]:
    """Store one value (no permission check: callers check). Returns (outcome, fact, conflict).

    outcome: "unchanged" (this source already said this), "current" (now shown), "agrees"
    (another source confirms the shown value), "conflict" (disagrees; routed to the owner).
    """
    writer = FactWriter(author=author, batch=batch)
    writer.load([person.pk], [field])
    outcome, fact = writer.add(
        person=person, field=field, clean=clean, source=source, label=label, community=community
    )
    conflicts = writer.flush()
    return outcome, fact, (conflicts[0] if conflicts else None)


def _same_month(a: str, b: str) -> bool:
    return a[:7] == b[:7] and (len(a) == 7 or len(b) == 7)


def community_of(person: Person) -> Place | None:
    residence = Residence.objects.filter(person=person).select_related("community").first()
    if residence:
        return residence.community
    place = person.place
    if place is None:
        return None
    return place.parent if place.level == PlaceLevel.GRID else place


def _mirror(person: Person, field: Field, clean: values.Clean) -> None:
    """Keep core.Person and the Residence row in step with the value now shown."""
    key = field.key
    changed = []
    if key == "name" and person.name != clean.value:
        person.name, changed = clean.value, ["name"]
    elif key == "gender":
        gender = {"男": "M", "女": "F"}.get(clean.value, "")
        if person.gender != gender:
            person.gender, changed = gender, ["gender"]
    elif key == "birth_date" and len(clean.value) == 10:
        day = datetime.date.fromisoformat(clean.value)
        if person.birth_date != day:
            person.birth_date, changed = day, ["birth_date"]
    elif key == "phone" and re.fullmatch(r"1\d{10}", clean.value):
        personal_data.set_mobile(person, clean.value)
        changed = ["mobile_enc", "mobile_hash", "mobile_masked"]
    if changed and person.pk:
        person.save(update_fields=[*changed, "updated_at"])
    if key in defaults.RESIDENCE_FIELDS:
        residence = Residence.objects.filter(person=person).first()
        if residence is not None:
            setattr(residence, key, clean.value)
            residence.separated = is_separated(residence)
            residence.save()


def _u(actor):
    return actor if getattr(actor, "pk", None) else None


def _source_for(actor, person_community: Place | None, source: Department | None):
    """Check the actor may speak for `source` (a department, or the community when None)."""
    if source is not None:
        if actor.is_superuser or source in officer_departments(actor, source.district):
            return
        raise PermissionDenied(
            _("您不是“%(d)s”的工作人员，不能以其名义录入。") % {"d": source.name}
        )
    if person_community is None or not actor.has_perm(
        "registry.manage_residents", person_community
    ):
        raise PermissionDenied(_("您无权为此人录入社区采集的信息。"))


@one_write
def fact_record(
    *, actor, person: Person, key: str, raw, source: Department | None = None
) -> tuple[str, Fact | None, Conflict | None]:
    """Record one value about a person from a department (or the community when None)."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.district_id is None:
        raise ValidationError(_("此人未归属任何区，不能登记数据。"))
    district = Place.objects.get(pk=person.district_id)
    fields = ensure_fields(district)
    if key not in fields:
        raise ValidationError(_("字段库中没有“%(k)s”。"), params={"k": key})
    field = fields[key]
    community = community_of(person)
    _source_for(actor, community, source)
    if key == "id_number":
        raise ValidationError(_("身份证号由人员登记维护，不能在此修改。"))
    clean = values.clean(field.kind, field.key, raw)
    outcome, fact, conflict = record_fact(
        author=actor, person=person, field=field, clean=clean, source=source, community=community
    )
    if fact is not None:
        audit.record(
            actor=actor, action="registry.fact_record", obj=person, place=community,
            changes={"field": field.label, "value": fact.value, "source": fact.source_label,
                     "outcome": outcome},
        )  # fmt: skip
    return outcome, fact, conflict


@one_write
def conflict_settle(*, actor, conflict: Conflict, keep: str, note: str = "") -> Conflict:
    """The owner decides: keep the shown value, or adopt the challenger's (as its own)."""
    conflict = (
        Conflict.objects.select_for_update(of=("self",))
        .select_related("field", "person", "shown", "challenger", "owner", "district", "community")
        .get(pk=conflict.pk)
    )
    _require(actor, "registry.settle_conflict", conflict, _("只有权威来源部门可以核定此冲突。"))
    if conflict.status != Conflict.Status.OPEN:
        raise ValidationError(_("此冲突已核定。"), code="settled")
    if keep not in ("shown", "challenger"):
        raise ValidationError(_("请选择保留哪一个值。"))
    note = (note or "").strip()[:200]
    chosen = conflict.shown if keep == "shown" else conflict.challenger
    if keep == "challenger":
        field = conflict.field
        raw = personal_data.decrypt(chosen.value_enc) if field.sensitive else chosen.value
        clean = values.clean(field.kind, field.key, raw)
        record_fact(
            author=actor, person=conflict.person, field=field, clean=clean,
            source=conflict.owner, label=_("%(s)s（核定）") % {"s": source_label(conflict.owner)},
            community=conflict.community,
        )  # fmt: skip
    conflict.status = Conflict.Status.SETTLED
    conflict.settled_at = clock.now()
    conflict.settled_by = actor
    conflict.note = note or (_("保留现值") if keep == "shown" else _("采用新值"))
    conflict.save()
    audit.record(
        actor=actor, action="registry.conflict_settle", obj=conflict.person,
        place=conflict.community,
        changes={"field": conflict.field.label, "kept": chosen.value, "note": conflict.note},
    )  # fmt: skip
    return conflict
