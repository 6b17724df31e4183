"""The demo district's staffing rules: the national default, loaded as a coordinator would."""

from django.utils.translation import gettext as _

from workforce import services


def build(*, district, builder, seed, out):
    added = services.staffing_rules_seed(actor=builder, district=district)
    out(_("人员配备：载入%(n)d条配备标准") % {"n": added})
