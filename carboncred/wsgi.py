"""WSGI entry point (gunicorn carboncred.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

from core.wsgi import ChunkedRequestBody

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carboncred.settings")

# Bodies sent with Transfer-Encoding: chunked are read within the body limit (core/wsgi.py).
application = ChunkedRequestBody(get_wsgi_application())
