"""What oversight tells workforce (workforce.hooks): a year in which a sanction was in force
does not count towards a worker's grade progression. A sanction removed by 容错 pauses nothing."""

from django.utils.translation import gettext as _

from oversight.models import Case


def paused(people: dict[int, int], up_to_year: int) -> dict[int, dict[int, str]]:
    """{worker id: {year: reason}} for the workers (`people`: {worker id: person id}) whose
    sanction was in force in a year up to `up_to_year`, in one query."""
    workers_of: dict[int, list[int]] = {}
    for worker_id, person_id in people.items():
        workers_of.setdefault(person_id, []).append(worker_id)
    found: dict[int, dict[int, str]] = {}
    cases = (
        Case.objects.filter(person_id__in=workers_of, decided_on__year__lte=up_to_year)
        .exclude(tolerance_granted=True)
        .values_list("pk", "person_id", "decided_on", "in_force_until")
    )
    for pk, person_id, decided_on, in_force_until in cases:
        # In force from the decision up to the day before in_force_until.
        last_year = min(in_force_until.year - (in_force_until.timetuple().tm_yday == 1), up_to_year)
        reason = _("受到问责，影响期内（案件C%(pk)s）") % {"pk": pk}
        for year in range(decided_on.year, last_year + 1):
            for worker_id in workers_of[person_id]:
                found.setdefault(worker_id, {}).setdefault(year, reason)
    return found
