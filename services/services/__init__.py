"""Every write of the services app: catalogue, requests and each step of their lifecycle.

Import as ``from services import services as request_services`` (the app is called services).
Each function is keyword-only, atomic, checks permission, refuses a transition the current state
does not allow (with the reason), writes, appends a timeline event and one audit event.

One module per job: ``catalogue`` (items and their forms), ``answers`` (what a resident sends),
``submission`` (filing), ``dispatch`` (the dispatcher's steps), ``handling`` (the department's),
``applications`` (objection, return, extension and their decision), ``closing`` (close, call
back, rating, review, merge, urge), ``public_text`` (what anyone may read), ``open311_keys``;
``common`` holds what they share (text checks, the clock, how a step starts and ends).
"""

from services.models import FINAL_STATES
from services.services.answers import clean_answers, clean_photo
from services.services.applications import (
    ASK_EVENTS,
    application_decide,
    dispatch_object,
    extension_ask,
    return_ask,
)
from services.services.catalogue import (
    FIELD_TYPES,
    catalogue_seed,
    clean_fields,
    item_create,
    item_update,
)
from services.services.closing import (
    rating_review,
    request_close,
    request_merge,
    request_rate,
    request_urge,
    request_visit,
)
from services.services.common import (
    DEFAULT_DEADLINE_DAYS,
    MAX_EXTENSION_DAYS,
    MAX_PHOTO_BYTES,
    OBJECTION_DAYS,
)
from services.services.dispatch import (
    request_accept,
    request_accept_dispatch,
    request_dispatch,
    request_redispatch,
    request_reject,
)
from services.services.handling import request_answer, request_note, request_sign
from services.services.levels import (
    request_escalate,
    request_local_accept,
    request_local_close,
    request_whistle,
    whistle_rate,
    whistle_report,
)
from services.services.open311_keys import (
    open311_key_create,
    open311_key_lookup,
    open311_key_revoke,
)

# For an item handled at 物业, submission then routes to the compound's company (property).
from services.services.property import (
    request_property_accept,
    request_property_close,
    request_property_return,
    request_property_route,
    request_submit,
)
from services.services.public_text import (
    PUBLIC_DESCRIPTION_MAX,
    PUBLIC_STATUS_NOTES_MAX,
    public_text_of,
    request_publish_public_text,
)

__all__ = [
    "ASK_EVENTS",
    "DEFAULT_DEADLINE_DAYS",
    "FIELD_TYPES",
    "FINAL_STATES",
    "MAX_EXTENSION_DAYS",
    "MAX_PHOTO_BYTES",
    "OBJECTION_DAYS",
    "PUBLIC_DESCRIPTION_MAX",
    "PUBLIC_STATUS_NOTES_MAX",
    "application_decide",
    "catalogue_seed",
    "clean_answers",
    "clean_fields",
    "clean_photo",
    "dispatch_object",
    "extension_ask",
    "item_create",
    "item_update",
    "open311_key_create",
    "open311_key_lookup",
    "open311_key_revoke",
    "public_text_of",
    "rating_review",
    "request_accept",
    "request_accept_dispatch",
    "request_answer",
    "request_close",
    "request_dispatch",
    "request_escalate",
    "request_local_accept",
    "request_local_close",
    "request_whistle",
    "request_property_accept",
    "request_property_close",
    "request_property_return",
    "request_property_route",
    "whistle_rate",
    "whistle_report",
    "request_merge",
    "request_note",
    "request_publish_public_text",
    "request_rate",
    "request_redispatch",
    "request_reject",
    "request_sign",
    "request_submit",
    "request_urge",
    "request_visit",
    "return_ask",
]
