"""The long entry forms never lose what was typed: not on an expired session, not on a CSRF
failure.

Their views are exempt from the global CSRF check and call ``csrf_problem`` themselves, so that a
refused token re-renders the form with the input kept instead of an error page.

When a form arrives without a signed-in user, its fields (never the CSRF token) are kept in a
signed cookie limited to the page they came from, and read back once after signing in. It is
not the session: signing in starts a fresh one (against session fixation), which would drop them.
"""

from urllib.parse import urlsplit

from flask import current_app, request
from flask_wtf.csrf import CSRFError
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.datastructures import MultiDict

from ..extensions import csrf

COOKIE = "workshop-draft"
# Each cookie stays well under the 4 KB browsers keep; a longer draft is split over several.
CHUNK = 3000
MAX_CHUNKS = 6
MAX_AGE = 24 * 60 * 60
NOT_KEPT = {"csrf_token"}


def csrf_problem() -> bool:
    """True when the request's CSRF token is missing or wrong (nothing must be saved)."""
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return False
    try:
        csrf.protect()
    except CSRFError:
        return True
    return False


def _serializer(path: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=f"workshop-draft:{path}")


def keep(response, fields: MultiDict, path: str) -> bool:
    """Attach ``fields`` to ``response`` as the draft of the page at ``path``."""
    items = [[key, value] for key, value in fields.items(multi=True) if key not in NOT_KEPT]
    token = _serializer(path).dumps(items)
    chunks = [token[i : i + CHUNK] for i in range(0, len(token), CHUNK)]
    if len(chunks) > MAX_CHUNKS:
        return False
    secure = current_app.config.get("SESSION_COOKIE_SECURE", False)
    for index, chunk in enumerate(chunks):
        response.set_cookie(
            f"{COOKIE}-{index}",
            chunk,
            max_age=MAX_AGE,
            path=path,
            secure=secure,
            httponly=True,
            samesite="Lax",
        )
    return True


def read(path: str) -> MultiDict | None:
    """The draft kept for the page at ``path`` (None when there is none or it was tampered)."""
    chunks = []
    for index in range(MAX_CHUNKS):
        chunk = request.cookies.get(f"{COOKIE}-{index}")
        if chunk is None:
            break
        chunks.append(chunk)
    if not chunks:
        return None
    try:
        items = _serializer(path).loads("".join(chunks), max_age=MAX_AGE)
    except BadSignature:
        return None
    return MultiDict([(str(key), str(value)) for key, value in items])


def forget(response, path: str) -> None:
    for index in range(MAX_CHUNKS):
        if f"{COOKIE}-{index}" in request.cookies:
            response.delete_cookie(f"{COOKIE}-{index}", path=path)


def same_origin() -> bool:
    """The form was sent from a page of this site (a signed-out POST carries no CSRF token that
    could be checked: the origin is what tells it apart from another site's form)."""
    source = request.headers.get("Origin") or request.referrer
    return bool(source) and urlsplit(source).netloc == request.host
