"""Where a published decision goes besides the app's own public page (readable without login,
``deliberation:public``): the community channel, once it exists."""


def publish_decision(*, actor, decision) -> None:
    """Called inside ``meeting_publish``'s write for each decision of the meeting."""
    return None
