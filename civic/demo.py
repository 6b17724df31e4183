"""The demo district's civic data: nothing yet beyond what people file in the demo."""


def build(*, district, builder, seed, out):
    return None
