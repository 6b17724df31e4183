"""Demo data of the admission gate, built through the services (see core.demo.extensions)."""


def build(*, district, builder, seed, out):
    from admission import services

    services.lists_seed(actor=builder, district=district)
    out("准入：已载入默认清单")
