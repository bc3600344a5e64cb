"""Gunicorn settings for CarbonCred (`gunicorn -c gunicorn.conf.py carboncred.wsgi`).

Every value can be overridden from the environment; see docs/DEPLOY.md for sizing.
"""

import multiprocessing
import os

bind = os.environ.get("BIND", "0.0.0.0:8000")
# Sync workers with a few threads: requests are short and mostly wait on PostgreSQL.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2))
threads = int(os.environ.get("WEB_THREADS", 4))
timeout = int(os.environ.get("WEB_TIMEOUT", 30))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so a slow leak can never grow without bound.
max_requests = 2000
max_requests_jitter = 200
# The application logs one JSON access line per request (core.middleware).
accesslog = None
errorlog = "-"
# Only the load balancer in front may set X-Forwarded-* headers.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
