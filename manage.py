#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:
        # A deployer's mistake (e.g. a malformed DATABASE_URL): say what is wrong, no traceback.
        sys.stderr.write(f"linli: configuration error: {exc}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
