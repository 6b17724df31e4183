"""How in-app notifications read. The notify app registers a renderer that shows a message of a
kind in the reader's language; a notice without a kind shows the text stored with it."""

_renderers = []


def register(renderer) -> None:
    """``renderer(notifications)`` sets ``shown_title`` and ``shown_body`` on those it knows."""
    if renderer not in _renderers:
        _renderers.append(renderer)


def shown(notifications) -> list:
    """The notifications, each with ``shown_title`` and ``shown_body`` for the page."""
    items = list(notifications)
    for n in items:
        n.shown_title, n.shown_body = n.title, n.body
    for renderer in _renderers:
        renderer(items)
    return items
