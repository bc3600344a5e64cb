"""CarbonCred settings: one file, every deployment difference comes from the environment.

See .env.example for the variables and README.md for what they do.
"""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ
from corsheaders.defaults import default_headers
from django.utils.csp import CSP

from core.conf import ledger_origin, local_base_url, log_format, parse_throttle_rates, secret_key_from_file

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default=None) or secret_key_from_file(VAR_DIR / "secret_key")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
# Unset, the address this process serves on: BIND (host:port, as gunicorn reads it) or HOST and PORT
# (make run PORT=8101 sets them), so certificate links and QR codes of a local run point at it.
PUBLIC_BASE_URL = env(
    "PUBLIC_BASE_URL",
    default=local_base_url(env("BIND", default=None), env("HOST", default=None), env("PORT", default=None)),
).rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_countries",
    "corsheaders",
    "axes",
    "django_tasks_db",
    # Its abstract model and hashing back accounts.ApiKey; its own APIKey table stays empty.
    "rest_framework_api_key",
    "django_htmx",
    # Bottom to top, as the layers of docs/DESIGN.md.
    "core.apps.CoreConfig",
    "accounts",
    "documents",
    "sites",
    "projects",
    "emissions",
    "ledger",
    "webhooks",
    "payments",
    "verification",
    "certificates",
    "marketplace",
    "reports",
    "web",
    "carboncred.apps.CarbonCredConfig",
]

MIDDLEWARE = [
    "core.middleware.RequestIdMiddleware",
    "core.middleware.BodySizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Numbers and dates on the pages for people follow the reader's Accept-Language; the API's JSON does not.
    "web.locale.FormatLocaleMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Last, as django-axes asks: it turns a lockout flagged during authentication into a 429.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "carboncred.urls"
WSGI_APPLICATION = "carboncred.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "web.context.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite under var/ by default (make run); PostgreSQL through psycopg 3 via DATABASE_URL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'carboncred.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # Take the write lock at BEGIN: two writers queue instead of failing with "database is locked"
        # half-way through a transaction.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# A PostgreSQL streaming replica for the public read endpoints (core/routers.py, docs/DEPLOY.md).
# In tests the replica alias mirrors the default database.
REPLICA_DATABASE_URL = env("REPLICA_DATABASE_URL", default=None)
REPLICA_READS = bool(REPLICA_DATABASE_URL)
if REPLICA_DATABASE_URL:
    DATABASES["replica"] = env.db_url_config(REPLICA_DATABASE_URL)
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"].get("CONN_MAX_AGE", 0)
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["core.routers.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------
# Local memory per process by default; CACHE_URL=redis://... shares throttles and lockouts
# between workers.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://carboncred")}

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# E-mail (password resets, invitations) through Django 6.1's MAILERS. EMAIL_URL names the server,
# e.g. smtp+tls://user:password@smtp.example.com:587; unset, messages are printed to the log, which
# `check --deploy` refuses for a deployment.
EMAIL_URL = env("EMAIL_URL", default=None)
if EMAIL_URL:
    _mail = env.email_url_config(EMAIL_URL)
    MAILERS = {
        "default": {
            "BACKEND": _mail["EMAIL_BACKEND"],
            "OPTIONS": {
                "host": _mail["EMAIL_HOST"],
                "port": _mail["EMAIL_PORT"],
                "username": _mail["EMAIL_HOST_USER"],
                "password": _mail["EMAIL_HOST_PASSWORD"],
                "use_tls": bool(_mail.get("EMAIL_USE_TLS")),
                "use_ssl": bool(_mail.get("EMAIL_USE_SSL")),
                "timeout": 10,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="CarbonCred <no-reply@localhost>")
# How long an e-mailed invitation to join an organisation can be accepted (accounts.members).
INVITATION_TTL_DAYS = env.int("INVITATION_TTL_DAYS", default=7)

# The pages for people sign in with a session (web/); the API with tokens.
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/app/"
LOGOUT_REDIRECT_URL = "/"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The organisation a superuser without one joins, and the one that runs the registry.
REGISTRY_OPERATOR_NAME = env("REGISTRY_OPERATOR_NAME", default="CarbonCred Registry")
REGISTRY_OPERATOR_COUNTRY = env("REGISTRY_OPERATOR_COUNTRY", default="GB")
BUFFER_POOL_NAME = env("BUFFER_POOL_NAME", default="CarbonCred Buffer Pool")

# --- Credits and ledger ---------------------------------------------------------------------
# The share of every issuance that goes to the buffer pool (rounded up to whole kilograms).
CREDIT_BUFFER_SHARE = Decimal(env("CREDIT_BUFFER_SHARE", default="0.10"))
# The platform's fee on a trade: this share of the order total, paid by the buyer (marketplace.money).
PLATFORM_FEE_RATE = Decimal(env("PLATFORM_FEE_RATE", default="0.02"))
if (
    not Decimal(0) <= PLATFORM_FEE_RATE < Decimal(1)
    or PLATFORM_FEE_RATE.quantize(Decimal("0.00001")) != PLATFORM_FEE_RATE
):
    raise ValueError("PLATFORM_FEE_RATE must be a decimal from 0 to below 1 with at most 5 places")
# Rows fetched per round trip by the streaming ledger verifier and replay (server-side cursor).
LEDGER_STREAM_CHUNK = env.int("LEDGER_STREAM_CHUNK", default=10_000)

# Signed checkpoints (docs/LEDGER.md, "Signed checkpoints"; docs/AUDITOR.md). The Ed25519 key is a file,
# never a database value: a PEM (PKCS #8, `openssl genpkey -algorithm ed25519`) or a raw 32-byte seed.
# Unset, one is generated once under var/, as the secret key is; set it (and back it up) in production.
_SIGNING_KEY_FILE = env("LEDGER_SIGNING_KEY_FILE", default="")
LEDGER_SIGNING_KEY_FILE = Path(_SIGNING_KEY_FILE) if _SIGNING_KEY_FILE else VAR_DIR / "ledger_signing_key.pem"
LEDGER_SIGNING_KEY_GENERATE = not _SIGNING_KEY_FILE
# During a key rotation: the old key's file, which signs each new checkpoint too (a cosignature).
LEDGER_COSIGNING_KEY_FILES = [Path(path) for path in env.list("LEDGER_COSIGNING_KEY_FILES", default=[])]
# Retired keys (C2SP verifier key strings): still published and trusted for the checkpoints they signed.
LEDGER_PREVIOUS_PUBLIC_KEYS = env.list("LEDGER_PREVIOUS_PUBLIC_KEYS", default=[])
# The log's name: the first line of every checkpoint and the signing key's name (no spaces, no '+').
LEDGER_ORIGIN = ledger_origin(env("LEDGER_ORIGIN", default=None), public_base_url=PUBLIC_BASE_URL)
# A checkpoint is due once this many entries were appended since the last one, and every committed
# entry is in a checkpoint at most this many minutes later (the task worker makes them: `db_worker`).
LEDGER_CHECKPOINT_ENTRIES = env.int("LEDGER_CHECKPOINT_ENTRIES", default=1000)
LEDGER_CHECKPOINT_MINUTES = env.int("LEDGER_CHECKPOINT_MINUTES", default=5)
if LEDGER_CHECKPOINT_ENTRIES < 1 or LEDGER_CHECKPOINT_MINUTES < 1:
    raise ValueError("LEDGER_CHECKPOINT_ENTRIES and LEDGER_CHECKPOINT_MINUTES must be at least 1")

# Reverse proxies in front of the app. A client's address is the socket's, or with N proxies the
# Nth X-Forwarded-For entry from the right (the one our own proxy wrote): anything further left is
# what the client claims, and must never key a throttle or a lockout.
PROXY_COUNT = env.int("PROXY_COUNT", default=0)

# Brute-force protection on every sign-in (the token endpoint and the admin): 5 failures for one
# e-mail from one address lock that pair out for 15 minutes (answered 429). Both count under the
# normalised address (accounts.lockout), and a locked-out attempt is refused before its password is
# checked, with one answer whatever the password.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "email"
AXES_USERNAME_CALLABLE = "accounts.lockout.lockout_username"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# django-ipware is not installed, so axes would read REMOTE_ADDR alone: behind a load balancer, one
# address for every client. This applies PROXY_COUNT the way DRF's throttles do.
AXES_CLIENT_IP_CALLABLE = "core.clientip.client_ip"

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
    "AUTH_HEADER_TYPES": ("Bearer",),
}

# --- REST framework -------------------------------------------------------------------------
THROTTLE_RATES = parse_throttle_rates(env("THROTTLE_RATES", default=None))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.JWTAuthentication",
        "accounts.authentication.ApiKeyAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.standing.IsAuthenticatedInGoodStanding"],
    # JSON by default (an upload view lists its own parsers): no lone surrogates or deep nesting in,
    # nothing unencodable out (core.parsers, core.renderers).
    "DEFAULT_PARSER_CLASSES": ["core.parsers.StrictJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["core.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
        "accounts.throttling.ApiKeyRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": THROTTLE_RATES,
    # Unset, DRF keys anonymous throttles on the whole X-Forwarded-For header, which the client writes.
    "NUM_PROXIES": PROXY_COUNT,
    "EXCEPTION_HANDLER": "core.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "core.schema.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "COERCE_DECIMAL_TO_STRING": True,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "CarbonCred API",
    "DESCRIPTION": (
        "Registry and marketplace for micro carbon credits. Quantities are integer kilograms of CO2e "
        "(`*_kg`); money is a decimal string. Every credit movement is appended to a SHA-256 "
        "hash-chained ledger."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "VerificationStatusEnum": "accounts.models.VerificationStatus",
        "VerificationRequestStatusEnum": "accounts.models.OrganizationVerificationRequest.Status",
        "DocumentKindEnum": "documents.models.Document.Kind",
        "SiteStatusEnum": "sites.models.Site.Status",
        # Two "severity" choice sets (screening reasons, GHG statement notes): each gets its own name.
        "ReasonSeverityEnum": "verification.serializers.REASON_SEVERITIES",
        "WebhookEventTypeEnum": "webhooks.events.EventType",
    },
    # core.converters.IdConverter: a row id in a path.
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "integer", "format": "int64", "minimum": 1}},
}

# --- Background tasks -----------------------------------------------------------------------
# Django's tasks framework (django.tasks). The default backend keeps tasks in the database
# (django-tasks-db) and `manage.py db_worker` runs them; `make run` starts one beside gunicorn.
TASKS = {"default": {"BACKEND": env("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend")}}

# --- Webhooks (docs/WEBHOOKS.md) -------------------------------------------------------------
# Endpoints on private, loopback or link-local addresses are refused (at save and at every delivery)
# unless this is on: development and tests only.
WEBHOOK_ALLOW_PRIVATE = env.bool("WEBHOOK_ALLOW_PRIVATE", default=False)
# Seconds for each socket operation of a delivery (connect, send, each read).
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=5.0)
# Attempts per delivery before it is `failed`; the wait after attempt n is BASE * 4^(n-1) s, at most 12 h.
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=8)
WEBHOOK_RETRY_BASE_SECONDS = env.int("WEBHOOK_RETRY_BASE_SECONDS", default=30)
if WEBHOOK_MAX_ATTEMPTS < 1 or WEBHOOK_RETRY_BASE_SECONDS < 1 or not 0 < WEBHOOK_TIMEOUT_SECONDS <= 60:
    raise ValueError(
        "WEBHOOK_MAX_ATTEMPTS and WEBHOOK_RETRY_BASE_SECONDS must be at least 1, WEBHOOK_TIMEOUT_SECONDS 0..60"
    )

# --- Idempotency ----------------------------------------------------------------------------
# A stored first response is replayed for this long; `manage.py idempotency_purge` deletes older.
IDEMPOTENCY_TTL = timedelta(hours=env.int("IDEMPOTENCY_TTL_HOURS", default=24))

# --- Verification (automated screening of reduction claims) ----------------------------------
# A calibrated risk at or above this routes a claim to a verifier; so does a claim above the size
# limit (kg CO2e; 500 t by default). Approved claims issue at once and the owner owes the minting fee.
VERIFICATION_REVIEW_RISK_THRESHOLD = Decimal(env.str("VERIFICATION_REVIEW_RISK_THRESHOLD", default="0.7"))
VERIFICATION_REVIEW_SIZE_KG = env.int("VERIFICATION_REVIEW_SIZE_KG", default=500_000)
# A solar claim with site coordinates is rejected above this multiple of the site's climatological
# yield over a year (shorter periods get a larger factor: verification/engine/climatology.py).
SOLAR_CEILING_FACTOR = Decimal(env.str("SOLAR_CEILING_FACTOR", default="1.3"))
MINTING_FEE_PER_TONNE = Decimal(env.str("MINTING_FEE_PER_TONNE", default="0.50"))
MINTING_FEE_CURRENCY = env.str("MINTING_FEE_CURRENCY", default="USD")

# --- Money (payments/; docs/MARKETPLACE.md, "Money") --------------------------------------------
# Bank transfer top-ups (the default method): the platform's account printed in the instructions,
# each transfer carrying its top-up's unique reference; staff confirm arrivals.
PAYMENTS_BANK_ACCOUNT_HOLDER = env.str("PAYMENTS_BANK_ACCOUNT_HOLDER", default="CarbonCred client money account")
PAYMENTS_BANK_NAME = env.str("PAYMENTS_BANK_NAME", default="Example Bank")
PAYMENTS_BANK_IBAN = env.str("PAYMENTS_BANK_IBAN", default="GB33 BUKB 2020 1555 5555 55")
PAYMENTS_BANK_BIC = env.str("PAYMENTS_BANK_BIC", default="BUKBGB22")
# Card top-ups through Stripe (PaymentIntents), off unless enabled; the webhook endpoint is
# /api/payments/stripe/webhook/ and its signing secret (whsec_...) is STRIPE_WEBHOOK_SECRET.
PAYMENTS_CARD_ENABLED = env.bool("PAYMENTS_CARD_ENABLED", default=False)
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
# An organisation that is not verified gets at most this many kg (its own share, buffer excluded)
# issued automatically in total; above it, its claims wait for a verifier.
UNVERIFIED_ISSUANCE_CAP_KG = env.int("UNVERIFIED_ISSUANCE_CAP_KG", default=5_000)
# A claim whose monitoring period ended more than this many days before it was submitted goes to review.
CLAIM_MAX_AGE_DAYS = env.int("CLAIM_MAX_AGE_DAYS", default=730)
# Crediting period from a project's start date; a claim reaching beyond it goes to review.
CREDITING_PERIOD_YEARS = env.int("CREDITING_PERIOD_YEARS", default=10)

# --- Audits of automatic issuances (docs/VERIFICATION.md, "Audits and reversals") -------------
# Every automatically approved issuance is drawn for audit with probability
# AUDIT_MIN_RATE + (AUDIT_MAX_RATE - AUDIT_MIN_RATE) * risk ** AUDIT_CURVE_EXPONENT.
AUDIT_MIN_RATE = Decimal(env.str("AUDIT_MIN_RATE", default="0.05"))
AUDIT_MAX_RATE = Decimal(env.str("AUDIT_MAX_RATE", default="0.50"))
AUDIT_CURVE_EXPONENT = Decimal(env.str("AUDIT_CURVE_EXPONENT", default="2"))
if not Decimal(0) <= AUDIT_MIN_RATE <= AUDIT_MAX_RATE <= Decimal(1) or not AUDIT_CURVE_EXPONENT > 0:
    raise ValueError("AUDIT_MIN_RATE <= AUDIT_MAX_RATE must lie in 0..1 and AUDIT_CURVE_EXPONENT be positive")
# The key each month's sampling salt is derived from (sampling.period_salt): secret until the month ends,
# when that month's salt is published. Unset, one is generated once under var/, as the secret key is.
AUDIT_SEED_KEY = env("AUDIT_SEED_KEY", default=None) or secret_key_from_file(VAR_DIR / "audit_seed_key")

# --- Evidence documents ---------------------------------------------------------------------
# The largest evidence file accepted. Uploads (POST /api/documents/) are exempt from MAX_BODY_BYTES up
# to this plus room for the multipart envelope.
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024)
UPLOAD_PATHS = ("/api/documents/", "/app/claims/", "/app/verification/")  # the pages taking evidence files too
UPLOAD_MAX_BODY_BYTES = DOCUMENT_MAX_BYTES + 64 * 1024
# Where the files live: a directory under var/ by default; DOCUMENT_STORAGE=s3 keeps them in an
# S3-compatible bucket through django-storages (install it; docs/DEPLOY.md "Evidence documents").
DOCUMENT_STORAGE = env.str("DOCUMENT_STORAGE", default="filesystem")
if DOCUMENT_STORAGE == "s3":
    DOCUMENTS_STORAGE_CONFIG = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("DOCUMENT_S3_BUCKET"),
            "endpoint_url": env.str("DOCUMENT_S3_ENDPOINT_URL", default=None),
            "region_name": env.str("DOCUMENT_S3_REGION", default=None),
            "location": env.str("DOCUMENT_S3_PREFIX", default="documents"),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
elif DOCUMENT_STORAGE == "filesystem":
    DOCUMENTS_STORAGE_CONFIG = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": Path(env.str("DOCUMENT_STORAGE_DIR", default=str(VAR_DIR / "documents"))),
            "file_permissions_mode": 0o640,
            "directory_permissions_mode": 0o750,
        },
    }
else:
    raise ValueError("DOCUMENT_STORAGE must be filesystem or s3")

# --- HTTP, security -------------------------------------------------------------------------
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/(api|certificates)/.*$"
# A browser app sends the headers the API documents (Idempotency-Key on buy/retire/transfers, its own
# X-Request-ID) and reads the ones it answers with (the request id, Retry-After on 429, a file's name).
CORS_ALLOW_HEADERS = (*default_headers, "idempotency-key", "x-request-id")
CORS_EXPOSE_HEADERS = [
    "X-Request-ID",
    "Retry-After",
    "Content-Disposition",
    # The GHG statement PDF: the issued document's id and SHA-256, and its public page once published.
    "X-Report-Id",
    "X-Report-SHA256",
    "X-Report-Verify-URL",
]
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("MAX_BODY_BYTES", default=1024 * 1024)

# Served over https (PUBLIC_BASE_URL says so): redirect, HSTS and secure cookies. A local
# http://127.0.0.1 run keeps them off so `make run` works without certificates.
SECURE = PUBLIC_BASE_URL.startswith("https://")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=SECURE)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if SECURE else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
CSRF_TRUSTED_ORIGINS = [PUBLIC_BASE_URL]
if env.bool("TRUST_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Everything the pages load comes from this origin. Inline scripts stay allowed because the bundled
# Swagger UI / ReDoc pages start themselves with one; no page renders user input unescaped.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF, "data:"],
    "worker-src": [CSP.SELF, "blob:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# --- I18N, static ---------------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "documents": DOCUMENTS_STORAGE_CONFIG,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# One JSON object per line on stderr, or readable text when stderr is a terminal (LOG_FORMAT=auto, json,
# text), each with the request id and the acting organisation. Nothing logs headers or bodies, so tokens
# and passwords never reach it.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "core.logcontext.ContextFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(organization_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s org=%(organization_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["context"],
            # auto: text for a person at a terminal, JSON lines for a collector (core.conf.log_format).
            "formatter": log_format(env("LOG_FORMAT", default="auto")),
        },
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # The access line comes from RequestIdMiddleware; Django's own would repeat 4xx lines.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
    },
}
