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
    timestamp, nonce = str(int(time.time())), secrets.token_hex(8)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "X-Linli-Key": key_id,
        "X-Linli-Timestamp": timestamp,
        "X-Linli-Nonce": nonce,
        "X-Linli-Signature": signature(secret, timestamp, nonce, body),
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
