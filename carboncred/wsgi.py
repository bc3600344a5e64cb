"""WSGI entry point (gunicorn carboncred.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carboncred.settings")

application = get_wsgi_application()
