from core.context import client_ip


class RequestContextMiddleware:
    """Remember the client address for the audit log of this request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Behind a load balancer, REMOTE_ADDR is set from the proxy header by the server
        # (gunicorn --forwarded-allow-ips), never trusted from the header here.
        token = client_ip.set(request.META.get("REMOTE_ADDR") or None)
        try:
            return self.get_response(request)
        finally:
            client_ip.reset(token)
