"""The WSGI entry point: ``application`` for the WSGI server (README.md: deployment)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")

application = get_wsgi_application()
