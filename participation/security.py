"""Security headers, caching and the proxy setting, applied to every response."""

from flask import Flask, Response, current_app, g, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user

from .utils import from_script

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def is_private() -> bool:
    """Whether this answer belongs to one person, so that no cache may keep it.

    Everything a signed-in person is shown is theirs; a page with a form carries the session's
    CSRF token; an answer that writes the session cookie would hand that cookie to whoever a
    shared cache served it to next.
    """
    return (
        current_user.is_authenticated
        or "csrf_token" in g
        or current_app.session_interface.should_set_cookie(current_app, session)
    )


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, except that an answer to a page's script never writes it.

    A script's request (the similar proposals looked up while a title is typed) is sent with the
    cookie of that moment and may be answered after a form sent meanwhile: its copy of the session
    would replace the newer one, and with it the form's CSRF token, notice or kept draft.
    """

    def should_set_cookie(self, app: Flask, session) -> bool:
        return not from_script() and super().should_set_cookie(app, session)

    def save_session(self, app: Flask, session, response: Response) -> None:
        if not from_script():
            super().save_session(app, session, response)
        elif session.accessed:
            response.vary.add("Cookie")


def init_app(app: Flask) -> None:
    import os

    app.session_interface = SessionInterface()

    trusted_proxies = int(os.environ.get("TRUSTED_PROXIES", "0") or 0)
    if trusted_proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=trusted_proxies, x_proto=trusted_proxies, x_host=trusted_proxies
        )

    @app.after_request
    def set_security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"
        )
        if app.config.get("PRODUCTION"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response

    @app.after_request
    def keep_private_answers_out_of_caches(response: Response) -> Response:
        # Registered before the API's public caching: this runs after it, and has the last word.
        # Static files are the same for everyone (and asking who is signed in would touch the
        # session, hence the cookie).
        if request.endpoint == "static":
            return response
        if is_private():
            response.headers["Cache-Control"] = "no-store"
        elif _shareable(response):
            # The same page for every visitor in the same language: a reverse proxy may serve it
            # again for a short while, and a browser asks again with its ETag (304, no body).
            response.vary.add("Cookie")
            response.vary.add("Accept-Language")
            response.cache_control.public = True
            response.cache_control.max_age = 0
            response.cache_control.s_maxage = app.config["PUBLIC_PAGE_CACHE_SECONDS"]
            response.add_etag()
            response.make_conditional(request)
        return response


def _shareable(response: Response) -> bool:
    """A visitor's page that a shared cache may keep: a whole page read, not already given its
    own caching (the API, the downloads)."""
    return (
        request.method in ("GET", "HEAD")
        and response.status_code == 200
        and response.mimetype == "text/html"
        and "Cache-Control" not in response.headers
        and not response.is_streamed
    )
