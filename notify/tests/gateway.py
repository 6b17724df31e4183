"""A real HTTP server on 127.0.0.1 standing in for an SMS or WeChat gateway in tests.

It checks the signature as a provider would, records every call, and answers what the test sets:
``mode`` "ok", "refuse" (code != OK), "error" (HTTP 500) or "slow" (answers after ``delay``)."""

import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from notify.http import signature


class Gateway:
    def __init__(self, secret: str = ""):
        self.secret = secret or secrets.token_hex(16)
        self.mode = "ok"
        self.delay = 0.0
        self.calls: list[dict] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                expected = signature(
                    gateway.secret,
                    self.headers.get("X-Linli-Timestamp", ""),
                    self.headers.get("X-Linli-Nonce", ""),
                    body,
                )
                signed = expected == self.headers.get("X-Linli-Signature")
                gateway.calls.append(
                    {
                        "path": self.path,
                        "key": self.headers.get("X-Linli-Key"),
                        "signed": signed,
                        "payload": json.loads(body),
                    }
                )
                if gateway.mode == "slow":
                    time.sleep(gateway.delay)
                if not signed:
                    self._answer(401, {"code": "BadSignature", "message": "bad signature"})
                elif gateway.mode == "error":
                    self._answer(500, {"code": "Busy"})
                elif gateway.mode == "refuse":
                    self._answer(200, {"code": "isv.TEMPLATE_ILLEGAL", "message": "模板不合法"})
                else:
                    self._answer(200, {"code": "OK", "message_id": f"m{len(gateway.calls)}"})

            def _answer(self, status, data):
                raw = json.dumps(data).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(raw)))
                    self.end_headers()
                    self.wfile.write(raw)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (the timeout test)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
