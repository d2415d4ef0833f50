"""The one error hierarchy of the platform, and the one place where an error becomes a page.

A rule that refuses raises (or a policy returns, see ``policy``) a ``ParticipationError``: its
``message`` is translated for the person, its ``status`` is the HTTP answer, ``field`` names the
form field it is about (if any) and ``help`` a page that gets the person unstuck. Areas define
their own errors as subclasses; no route catches, rolls back and flashes on its own: an error
that leaves a view reaches ``handle_refusal`` below, and a form page that must keep what was typed
wraps its service call in ``views.attempt``.
"""

from flask import Flask, Response, flash, jsonify, redirect, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError

# --- the hierarchy -------------------------------------------------------------------------


class ParticipationError(Exception):
    """A rule refused the action; ``str(error)`` is a translated message for the person."""

    message = _l("This action is not possible.")
    status = 409
    field: str | None = None
    # (endpoint, label) of a page that helps, e.g. where to confirm one's address.
    help: tuple[str, object] | None = None

    def __init__(self, message=None):
        self.text = message or self.message
        # Translated when read, not when raised: templates ask the rules many times a page (may
        # this visitor reply to this comment?) and only read the message of a few refusals.
        super().__init__(self.text)

    def __str__(self) -> str:
        return str(self.text)


class SignInRequired(ParticipationError):
    message = _l("Please sign in to continue.")
    status = 401
    help = ("accounts.sign_in", _l("Sign in"))


class NotAllowed(ParticipationError):
    message = _l("You are not allowed to do this.")
    status = 403


class NotFound(ParticipationError):
    """Something the person may not see is answered as if it did not exist."""

    message = _l("The page you are looking for does not exist or has moved.")
    status = 404


class AccountBlocked(NotAllowed):
    message = _l("Your account is blocked: you can read, but not post.")


class TwoFactorRequired(NotAllowed):
    """A moderator or an administrator uses their powers only with two-factor on."""

    message = _l(
        "Your role requires two-factor authentication: set it up on your account to use the "
        "moderation and administration pages."
    )
    help = ("accounts.two_factor_settings", _l("Set up two-factor authentication"))


class EmailNotConfirmed(NotAllowed):
    message = _l("Please confirm your e-mail address first: follow the link we sent you.")
    help = ("accounts.account", _l("Go to my account to receive a new link"))


class PhaseClosed(ParticipationError):
    message = _l("This phase of the consultation is closed.")


class ReasonRequired(ParticipationError):
    message = _l("A public reason is required for this decision.")
    status = 400
    field = "reason"


class Invalid(ParticipationError):
    """What was sent breaks a rule of form or size."""

    status = 400


# --- error pages ---------------------------------------------------------------------------

MESSAGES = {
    400: (
        _l("Bad request"),
        _l("The request could not be understood. Please check what you sent and try again."),
    ),
    401: (_l("Sign-in required"), _l("Please sign in to continue.")),
    403: (_l("Access denied"), _l("You do not have permission to see this page.")),
    404: (_l("Page not found"), _l("The page you are looking for does not exist or has moved.")),
    405: (_l("Method not allowed"), _l("This address does not accept that kind of request.")),
    409: (_l("Not possible now"), _l("This action is not possible.")),
    413: (_l("Too much data"), _l("What you sent is too large. Please send less at once.")),
    429: (
        _l("Too many requests"),
        _l("You have made too many attempts in a short time. Please wait a moment and try again."),
    ),
    500: (
        _l("Server error"),
        _l("Something went wrong on our side. The team has been told; please try again later."),
    ),
}


def render_error(code: int, message=None, problem: ParticipationError | None = None):
    title, default_message = MESSAGES.get(code, MESSAGES[500])
    return (
        render_template(
            "errors/error.html",
            code=code,
            title=title,
            message=message or default_message,
            problem=problem,
        ),
        code,
    )


def wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def answers_script() -> bool:
    """Whether the answer goes to a program (a page's script, a client asking for JSON) rather
    than to a person's browser tab: told in JSON, never sent to another page."""
    from .utils import from_script

    return wants_json() or from_script()


def handle_refusal(error: ParticipationError):
    """A refusal that left a view: nothing it started is kept, and the person reads why.

    A page's script (or a client asking for JSON): the message and the status, a 401 when signed
    out. Signed out: to the sign-in page, then back to the page (a button pressed on one of our
    pages: the page it was on, for its address may take nothing but the form). A button pressed
    on one of our pages (its ``back`` field, or the page it came from): back to that page, the
    message on top. Else the error page with the message and the status.
    """
    from flask_login import login_url

    from .extensions import db, login_manager
    from .utils import safe_next_url

    db.session.rollback()
    if answers_script():
        # A script is told, not sent to a page: a signed-out person's page script gets a 401.
        return jsonify(message=str(error)), error.status
    back = safe_next_url(request.form.get("back")) or _same_site_referrer(safe_next_url)
    if isinstance(error, SignInRequired):
        if request.method == "POST" and back:
            # Flask-Login's answer, with the page the form was on as where to come back.
            flash(login_manager.login_message, login_manager.login_message_category)
            return redirect(login_url(login_manager.login_view, next_url=back), code=303)
        return login_manager.unauthorized()
    if request.method == "POST" and back and not isinstance(error, NotFound):
        flash(str(error), "error")
        return redirect(back, code=303)
    if isinstance(error, NotFound):
        return render_error(404)
    return render_error(error.status, str(error), problem=error)


def _same_site_referrer(safe_next_url) -> str | None:
    referrer = request.referrer or ""
    prefix = request.host_url
    if not referrer.startswith(prefix):
        return None
    return safe_next_url("/" + referrer[len(prefix) :])


def init_app(app: Flask) -> None:
    app.register_error_handler(ParticipationError, handle_refusal)

    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        return render_error(
            400,
            _l(
                "This form could not be accepted because your session has changed (for example "
                "after signing in elsewhere). Please go back, reload the page and send it again."
            ),
        )

    @app.errorhandler(SecurityError)
    def untrusted_host(_error):
        # A Host outside TRUSTED_HOSTS: no link can be built for it, so no page with links.
        return Response(str(MESSAGES[400][1]), 400, mimetype="text/plain")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.response is not None:
            return error.response  # an answer of its own (a sign-in limit says how long to wait)
        if error.code in MESSAGES:
            return render_error(error.code)
        return error

    @app.errorhandler(500)
    def server_error(_error):
        from .extensions import db

        db.session.rollback()
        return render_error(500)
