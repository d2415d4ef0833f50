"""Configuration read from the environment.

Development needs nothing set: SQLite in ``instance/``, a secret key generated once and kept in
``instance/secret_key``, mail written to ``instance/outbox/``, rate limits in memory, links in
mails to ``http://localhost:5000``. Production (``FLASK_ENV=production`` or
``PARTICIPATION_ENV=production``) refuses to start without ``SECRET_KEY``, ``DATABASE_URL`` and a
public address (``PUBLIC_URL``, or ``SERVER_NAME``), and answers only the hosts of
``TRUSTED_HOSTS`` (by default, the public address's).
"""

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", BASE_DIR / "instance"))


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def _hour(name: str, default: int) -> int | None:
    """An hour of the day (0 to 23), or None for "off"."""
    value = (os.environ.get(name) or "").strip().lower()
    if not value:
        return default
    if value == "off":
        return None
    if not value.isdigit() or int(value) > 23:
        raise ValueError(f"{name} must be an hour from 0 to 23, or off: {value!r}")
    return int(value)


def is_production() -> bool:
    env = os.environ.get("PARTICIPATION_ENV") or os.environ.get("FLASK_ENV") or ""
    return env.lower() == "production"


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if is_production():
        raise RuntimeError("SECRET_KEY must be set in production.")
    # Development: generate once and keep it, so sessions survive a restart.
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        # Heroku-style URLs name the driver "postgres"; SQLAlchemy wants psycopg 3.
        if url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url[len("postgres://") :]
        elif url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://") :]
        return url
    if is_production():
        raise RuntimeError("DATABASE_URL must be set in production.")
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{INSTANCE_DIR / 'participation.sqlite3'}"


def _public_url(production: bool) -> str | None:
    """The address the public reaches the site at, e.g. ``https://participation.bethune.fr``:
    links in mails start with it, never with the Host a request claims."""
    url = os.environ.get("PUBLIC_URL", "").strip().rstrip("/")
    if url:
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise RuntimeError("PUBLIC_URL must be an address such as https://example.org.")
        return url
    if production and not os.environ.get("SERVER_NAME"):
        raise RuntimeError("PUBLIC_URL (or SERVER_NAME) must be set in production.")
    return None


def _trusted_hosts(production: bool, public_url: str | None) -> list[str] | None:
    """Host names the site answers to (Flask refuses others with a 400); None accepts any.

    ``TRUSTED_HOSTS`` is a comma-separated list (a name starting with a dot takes its
    subdomains); production defaults to the public address's host.
    """
    names = [n.strip() for n in os.environ.get("TRUSTED_HOSTS", "").split(",") if n.strip()]
    if names:
        return names
    if not production:
        return None
    host = urlsplit(public_url).hostname if public_url else None
    return [host or os.environ["SERVER_NAME"].split(":")[0]]


def load_config() -> dict:
    production = is_production()
    redis_url = os.environ.get("REDIS_URL")
    public_url = _public_url(production)
    session_max_days = _int("SESSION_MAX_DAYS", 14)
    return {
        "SECRET_KEY": _secret_key(),
        "SQLALCHEMY_DATABASE_URI": _database_url(),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "PRODUCTION": production,
        # Sessions and cookies
        "SESSION_COOKIE_SECURE": production or _bool("SESSION_COOKIE_SECURE"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production or _bool("SESSION_COOKIE_SECURE"),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        # Server-side sessions (accounts/sessions.py): ended after this long without a request,
        # and this long after signing in whatever the use; the cookie lasts no longer.
        "SESSION_IDLE_MINUTES": _int("SESSION_IDLE_MINUTES", 12 * 60),
        "SESSION_MAX_DAYS": session_max_days,
        "PERMANENT_SESSION_LIFETIME": 60 * 60 * 24 * session_max_days,
        # The cookie is sent back only when the session changes. Sent with every answer, a page
        # fetched in the background would send back the session as it was when it started, and
        # arriving after a form's answer it would undo what the form stored.
        "SESSION_REFRESH_EACH_REQUEST": False,
        # A CSRF token tied to the session, not to a clock: a long form never expires mid-typing.
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_SSL_STRICT": production,
        # Request size limits
        "MAX_CONTENT_LENGTH": _int("MAX_CONTENT_LENGTH", 2 * 1024 * 1024),
        "MAX_FORM_MEMORY_SIZE": 500 * 1024,
        "MAX_FORM_PARTS": 1000,
        # Languages and time
        "BABEL_DEFAULT_LOCALE": "fr",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Paris",
        "LANGUAGES": ["fr", "en"],
        # Rate limits: memory in development, Redis when several app servers share it
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_ENABLED": _bool("RATELIMIT_ENABLED", True),
        "RATELIMIT_HEADERS_ENABLED": True,
        "REDIS_URL": redis_url,
        # Figures that count every row (a round's contributors and weekly activity, the home
        # page's key figures) are computed again at most every FIGURES_CACHE_SECONDS: in Redis
        # when REDIS_URL is set (shared by every app server), else in each process
        "CACHE_TYPE": "RedisCache" if redis_url else "SimpleCache",
        "CACHE_REDIS_URL": redis_url,
        "CACHE_KEY_PREFIX": "participation:figures:",
        "CACHE_DEFAULT_TIMEOUT": _int("FIGURES_CACHE_SECONDS", 300),
        # Rendered lists of comments kept in each process under a key of all they show
        # (fragments.py); 0 renders every one afresh
        "FRAGMENT_CACHE_SIZE": _int("FRAGMENT_CACHE_SIZE", 2000),
        # Mail: SMTP when MAIL_SERVER is set, otherwise .eml files in instance/outbox/
        "MAIL_SERVER": os.environ.get("MAIL_SERVER"),
        "MAIL_PORT": _int("MAIL_PORT", 587),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD"),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", True),
        "MAIL_USE_SSL": _bool("MAIL_USE_SSL"),
        "MAIL_DEFAULT_SENDER": os.environ.get(
            "MAIL_DEFAULT_SENDER", "Béthune à 2032 <participation@ville-bethune.fr>"
        ),
        "MAIL_OUTBOX_DIR": os.environ.get("MAIL_OUTBOX_DIR", str(INSTANCE_DIR / "outbox")),
        # The outbox worker (outbox.py): a failed message waits MAIL_RETRY_SECONDS, doubled at
        # each failure up to MAIL_RETRY_MAX_SECONDS; after MAIL_MAX_ATTEMPTS it waits for an
        # administrator. MAIL_WORKER_THREAD runs a worker beside the development server. Sent
        # messages are kept MAIL_KEEP_SENT_DAYS days.
        "MAIL_RETRY_SECONDS": _int("MAIL_RETRY_SECONDS", 60),
        "MAIL_RETRY_MAX_SECONDS": _int("MAIL_RETRY_MAX_SECONDS", 6 * 60 * 60),
        "MAIL_MAX_ATTEMPTS": _int("MAIL_MAX_ATTEMPTS", 8),
        "MAIL_WORKER_INTERVAL": float(os.environ.get("MAIL_WORKER_INTERVAL") or 2),
        "MAIL_WORKER_THREAD": _bool("MAIL_WORKER_THREAD"),
        "MAIL_KEEP_SENT_DAYS": _int("MAIL_KEEP_SENT_DAYS", 30),
        # The worker sends the day's digests once, from this hour (Paris time); "off" leaves
        # them to the `flask notifications digest` command (a cron line).
        "DIGEST_HOUR": _hour("DIGEST_HOUR", 7),
        # Links in e-mails: from the public address, never from the request (mail.public_url)
        "PUBLIC_URL": public_url,
        "SERVER_NAME": os.environ.get("SERVER_NAME"),
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "TRUSTED_HOSTS": _trusted_hosts(production, public_url),
        # Accounts
        "PASSWORD_MIN_LENGTH": 12,
        "CONFIRM_TOKEN_MAX_AGE": 60 * 60 * 24 * 7,
        "RESET_TOKEN_MAX_AGE": 60 * 60 * 2,
        "ARGON2_TIME_COST": _int("ARGON2_TIME_COST", 3),
        "ARGON2_MEMORY_COST": _int("ARGON2_MEMORY_COST", 65536),
        "PAGE_SIZE": 20,
        # A list of proposals (a round's, a pillar's, a search's) counts them up to this many;
        # past it, the page says "more than" and its links stop there (pagination.py)
        "LIST_COUNT_LIMIT": 1000,
        # How long a reverse proxy may serve a visitor's page again without asking (s-maxage);
        # browsers always ask again, with the page's ETag (security.py)
        "PUBLIC_PAGE_CACHE_SECONDS": _int("PUBLIC_PAGE_CACHE_SECONDS", 30),
        # Logs: one JSON object a line with the request id (logs.py), by default in production
        "LOG_FORMAT": os.environ.get("LOG_FORMAT", "json" if production else "text"),
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO"),
    }
