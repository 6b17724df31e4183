"""How Open311 GeoReport v2 answers are written: XML (UTF-8, with the declaration, the spec's
element names) or JSON, W3C date-times with an offset in Beijing time, and the spec's error list.
Characters XML 1.0 cannot carry are dropped. Used by services.open311."""

import datetime
import json
import re
from xml.etree import ElementTree as ET

from django.http import HttpResponse
from django.utils import timezone

FORMATS = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
# Characters XML 1.0 cannot carry; they are dropped from output.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class Open311Error(Exception):
    def __init__(self, status: int, description: str, code: int | None = None):
        super().__init__(description)
        self.status, self.description, self.code = status, description, code or status


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return w3c(value)
    return NOT_XML.sub("", str(value))


def w3c(moment: datetime.datetime | None) -> str | None:
    if moment is None:
        return None
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _element(name: str, value) -> ET.Element:
    node = ET.Element(name)
    if isinstance(value, dict):
        for key, child in value.items():
            node.append(_element(key, child))
    elif isinstance(value, list):
        singular = {"attributes": "attribute", "values": "value", "formats": "format",
                    "endpoints": "endpoint"}.get(name, "item")  # fmt: skip
        for child in value:
            node.append(_element(singular, child))
    else:
        node.text = _text(value)
    return node


def render(fmt: str, data, *, root: str, item: str | None = None, status: int = 200):
    """Render ``data`` (a list of dicts under root/item, or one dict under root)."""
    if fmt == "json":
        body = json.dumps(_json_clean(data), ensure_ascii=False)
    else:
        node = ET.Element(root)
        if isinstance(data, list):
            for entry in data:
                node.append(_element(item, entry))
        else:
            for key, value in data.items():
                node.append(_element(key, value))
        body = '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(node, encoding="unicode")
    return HttpResponse(body.encode("utf-8"), status=status, content_type=FORMATS[fmt])


def _json_clean(value):
    if isinstance(value, dict):
        return {k: _json_clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_clean(v) for v in value]
    if isinstance(value, datetime.datetime):
        return w3c(value)
    if isinstance(value, str):
        return NOT_XML.sub("", value) if value != "" else None
    return value


def error_response(fmt: str, status: int, description: str, code: int | None = None):
    return render(
        fmt if fmt in FORMATS else "xml",
        [{"code": code or status, "description": description}],
        root="errors",
        item="error",
        status=status,
    )
