"""Who is asking, from where: set once per request so services can audit without plumbing."""

from contextvars import ContextVar

client_ip: ContextVar[str | None] = ContextVar("client_ip", default=None)
