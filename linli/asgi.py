"""The ASGI entry point: ``application`` for the ASGI server (README.md: deployment)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")

application = get_asgi_application()
