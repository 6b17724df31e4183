"""Pages of the services app. Thin: parse, call a service or a selector, render.

``requests`` (filing a request, following it, its steps), ``queues`` (the work queues and
supervision pages), ``catalogue`` (the catalogue, its items and the Open311 keys).
"""

from services.views.catalogue import catalogue, item_detail, item_new, open311_keys
from services.views.queues import (
    department_queue,
    dispatch_queue,
    grid_queue,
    local_queue,
    metrics_page,
    overdue,
    property_queue,
)
from services.views.requests import (
    event_photo,
    home,
    intake,
    map_options,
    patrol,
    request_act,
    request_detail,
    request_new,
    request_photo,
)
from services.views.rules import rule_list

__all__ = [
    "catalogue",
    "department_queue",
    "dispatch_queue",
    "event_photo",
    "grid_queue",
    "home",
    "intake",
    "item_detail",
    "item_new",
    "local_queue",
    "property_queue",
    "map_options",
    "metrics_page",
    "open311_keys",
    "overdue",
    "patrol",
    "request_act",
    "request_detail",
    "request_new",
    "request_photo",
    "rule_list",
]
