"""The demo district's oversight: the default sanction rules, and last year's assessment scheme
(the default weights) approved and its results computed from the demo's data."""

from django.utils.translation import gettext as _

from core import clock
from oversight import defaults, services


def build(*, district, builder, seed, out):
    services.sanction_rules_seed(actor=builder, district=district)
    year = clock.today().year - 1
    scheme = services.scheme_draft(
        actor=builder, district=district, year=year, name=_("%(year)d年度社区考核") % {"year": year},
        weights=dict(defaults.WEIGHTS), source=str(defaults.WEIGHTS_SOURCE),
    )  # fmt: skip
    services.scheme_approve(actor=builder, scheme=scheme)
    n = services.results_compute(actor=builder, scheme=scheme)
    out(_("监督考核：载入问责规则，%(year)d年度考核%(n)d个社区") % {"year": year, "n": n})
