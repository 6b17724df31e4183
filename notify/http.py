"""One signed JSON POST to a provider's gateway (the HTTP backends of SMS and WeChat).

The request carries ``X-Linli-Key`` (the key id), ``X-Linli-Timestamp`` (Unix seconds),
``X-Linli-Nonce`` and ``X-Linli-Signature``: hex HMAC-SHA256 under the shared secret of
``"<timestamp>\\n<nonce>\\n<body>"``, the way the common Chinese SMS platforms sign a call (a
timestamp and a nonce against replay, the body in the signature). A gateway on the intranet,
or a provider's own API behind a thin adapter, checks the signature and answers JSON.
"""

import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

import requests


@dataclass(frozen=True)
class Answer:
    ok: bool
    data: dict
    error: str = ""
    retryable: bool = False


def signature(secret: str, timestamp: str, nonce: str, body: bytes) -> str:
    message = f"{timestamp}\n{nonce}\n".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def post_signed(*, url: str, key_id: str, secret: str, payload: dict, timeout: float) -> Answer:
    """POST ``payload``; a timeout, a refused connection or a 5xx is retryable, a 4xx is not.

    The gateway's JSON answer is ok when its ``code`` is ``"OK"`` (or 0); otherwise its
    ``message`` is the error and the call is not retried (a refused template or number)."""
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        **signed_headers(key_id=key_id, secret=secret, body=body),
    }
    try:
        response = requests.post(url, data=body, headers=headers, timeout=timeout)
    except requests.Timeout:
        return Answer(False, {}, f"timeout after {timeout:g}s", retryable=True)
    except requests.RequestException as exc:
        return Answer(False, {}, f"connection failed: {type(exc).__name__}", retryable=True)
    try:
        data = response.json()
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    if response.status_code >= 500:
        return Answer(False, data, f"HTTP {response.status_code}", retryable=True)
    if response.status_code >= 400:
        return Answer(False, data, f"HTTP {response.status_code}: {data.get('message', '')}")
    if data.get("code") not in ("OK", 0, "0"):
        return Answer(False, data, str(data.get("message") or data.get("code") or "no code"))
    return Answer(True, data)


def post_configured(config: dict, payload: dict, *, url_setting: str) -> Answer:
    """``post_signed`` to the gateway a backend's settings name (``URL``, ``KEY_ID``,
    ``SECRET``, ``TIMEOUT``): the part the SMS and WeChat HTTP backends share. Without a URL
    the answer is a refusal naming the setting (not retried)."""
    if not config.get("URL"):
        return Answer(False, {}, f"{url_setting} is not set")
    return post_signed(
        url=config["URL"],
        key_id=config.get("KEY_ID", ""),
        secret=config.get("SECRET", ""),
        payload=payload,
        timeout=float(config.get("TIMEOUT", 5)),
    )


def chosen_backend(config: dict, backends: dict):
    """The backend a channel's settings name: one of ``backends`` or a dotted path."""
    from django.utils.module_loading import import_string

    name = config.get("BACKEND", "console") or "console"
    return backends[name]() if name in backends else import_string(name)()


MAX_AGE = 300  # seconds a signed callback stays valid (against replay)


def verify_signed(*, secret: str, headers, body: bytes, now: float | None = None) -> bool:
    """A call signed as ``post_signed`` signs (the relay's callbacks to Linli): the signature
    matches under ``secret`` and the timestamp is within ``MAX_AGE`` seconds."""
    if not secret:
        return False
    timestamp = headers.get("X-Linli-Timestamp", "")
    nonce = headers.get("X-Linli-Nonce", "")
    given = headers.get("X-Linli-Signature", "")
    if not timestamp.isdigit() or not nonce or not given:
        return False
    if abs((now if now is not None else time.time()) - int(timestamp)) > MAX_AGE:
        return False
    return hmac.compare_digest(signature(secret, timestamp, nonce, body), given)


def signed_headers(*, key_id: str, secret: str, body: bytes) -> dict:
    """The headers ``post_signed`` sends, for a caller that builds its own request (tests, the
    relay's side)."""
    timestamp, nonce = str(int(time.time())), secrets.token_hex(8)
    return {
        "X-Linli-Key": key_id,
        "X-Linli-Timestamp": timestamp,
        "X-Linli-Nonce": nonce,
        "X-Linli-Signature": signature(secret, timestamp, nonce, body),
    }
