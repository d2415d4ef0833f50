import time
from datetime import timedelta

from flask import (
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ..errors import Invalid, NotFound, render_error
from ..extensions import db, limiter
from ..i18n import ngettext
from ..models import User
from ..policy import active, anyone, signed_in
from ..templating import current_locale
from ..utils import safe_next_url
from ..views import attempt, done, form_status, guard, int_arg
from . import bp, loader, services, sessions, two_factor  # noqa: F401  (loader: the user loader)
from .forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    EmailOnlyForm,
    PasswordCheckForm,
    ProfileForm,
    ResetPasswordForm,
    SignInForm,
    SignUpForm,
    TwoFactorEnableForm,
    TwoFactorSignInForm,
)

# Per network address (a library or a school is several people behind one) and per account,
# over a minute, an hour and a day: a slow guesser meets the longer windows.
SIGN_IN_LIMIT = "10 per minute; 60 per hour; 300 per day"
SIGN_IN_ACCOUNT_LIMIT = "5 per minute; 20 per hour; 50 per day"
SIGN_UP_LIMIT = "5 per minute; 20 per hour; 50 per day"
MAIL_LIMIT = "5 per minute; 20 per hour; 50 per day"
# What one e-mail address receives, whoever asks: confirmation links, "already registered"
# notices, reset links.
ADDRESS_MAIL_LIMIT = "3 per hour; 10 per day"
# Codes of the second step, per account: a six-digit code cannot be guessed at this pace.
CODE_LIMIT = "5 per minute; 20 per hour; 50 per day"
# Time to type the code once the password is accepted.
SECOND_STEP_SECONDS = 5 * 60


def _email_key() -> str:
    return "email:" + services.normalise_email(request.form.get("email", ""))


def _signing_in_paused(limit, account: User | None = None):
    """The answer when a sign-in limit is reached: how long to wait, and what else to do; the
    lockout goes to the audit log (``services.record_lockout``)."""
    services.record_lockout(account, str(limit.limit))
    db.session.commit()
    wait = max(1, int(limit.reset_at - time.time()))
    message = _(
        "Too many sign-in attempts for this account or from your connection: signing in is "
        "paused for %(wait)s. If you have forgotten your password, you can choose a new one "
        "from the sign-in page.",
        wait=format_timedelta(timedelta(seconds=wait), threshold=1),
    )
    response = make_response(render_error(429, message))
    response.headers["Retry-After"] = str(wait)
    return response


def _account_paused(limit):
    return _signing_in_paused(limit, services.find_user_by_email(request.form.get("email", "")))


def _code_paused(limit):
    return _signing_in_paused(limit, _second_step()[0])


@bp.route("/sign-up", methods=["GET", "POST"])
@guard(anyone)
@limiter.limit(SIGN_UP_LIMIT, methods=["POST"])
@limiter.limit(ADDRESS_MAIL_LIMIT, key_func=_email_key, methods=["POST"])
def sign_up():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.account"))
    form = SignUpForm()
    form.set_neighbourhoods(services.neighbourhood_choices())
    if form.validate_on_submit():
        services.sign_up(
            services.SignUp(
                email=form.email.data,
                display_name=form.display_name.data,
                password=form.password.data,
                neighbourhood_id=form.neighbourhood_id.data,
                locale=current_locale(),
            )
        )
        db.session.commit()
        return render_template("accounts/check_inbox.html", email=form.email.data)
    return render_template("accounts/sign_up.html", form=form)


@bp.get("/confirm/<token>")
@guard(anyone)
def confirm_email(token: str):
    try:
        services.confirm_email(token)
    except services.TokenExpired:
        return _expired_link("confirm")
    except services.AccountError as error:
        return render_template(
            "accounts/link_problem.html", message=str(error), kind="confirm"
        ), 400
    db.session.commit()
    flash(_("Thank you: your e-mail address is confirmed."), "success")
    return redirect(
        url_for("accounts.account" if current_user.is_authenticated else "accounts.sign_in")
    )


@bp.route("/confirm/again", methods=["GET", "POST"])
@guard(anyone)
@limiter.limit(MAIL_LIMIT, methods=["POST"])
@limiter.limit(ADDRESS_MAIL_LIMIT, key_func=_email_key, methods=["POST"])
def resend_confirmation():
    form = EmailOnlyForm()
    if form.validate_on_submit():
        services.resend_confirmation(form.email.data, current_locale())
        db.session.commit()
        return render_template("accounts/check_inbox.html", email=form.email.data)
    return render_template("accounts/resend_confirmation.html", form=form)


@bp.route("/sign-in", methods=["GET", "POST"])
@guard(anyone)
@limiter.limit(SIGN_IN_LIMIT, methods=["POST"], on_breach=_signing_in_paused)
@limiter.limit(
    SIGN_IN_ACCOUNT_LIMIT, key_func=_email_key, methods=["POST"], on_breach=_account_paused
)
def sign_in():
    form = SignInForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None and user.has_two_factor:
            db.session.commit()
            _await_second_step(user, safe_next_url(form.next.data))
            return redirect(url_for("accounts.sign_in_code"))
        if user is not None:
            _open_session(user)
            flash(_("Welcome, %(name)s!", name=user.display_name), "success")
            return redirect(safe_next_url(form.next.data) or url_for("main.home"))
        db.session.commit()  # the failure stays in the audit log
        form.password.errors.append(_("The e-mail address or the password is not correct."))
    return render_template("accounts/sign_in.html", form=form)


def _await_second_step(user: User, next_url: str | None) -> None:
    """The password is right and two-factor is on: no session yet, only the right to type a
    code for this account for a few minutes (in the signed cookie)."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    session["second_step"] = {
        "uid": user.id,
        "until": int(time.time()) + SECOND_STEP_SECONDS,
        "next": next_url,
    }


def _second_step() -> tuple[User | None, dict]:
    """The account waiting for its code in this browser, or None (nothing waits, or too late)."""
    pending = session.get("second_step")
    if not isinstance(pending, dict) or pending.get("until", 0) < time.time():
        return None, {}
    user = db.session.get(User, pending.get("uid"))
    if user is None or not user.is_active or not user.has_two_factor:
        return None, {}
    return user, pending


def _second_step_key() -> str:
    user, _pending = _second_step()
    return f"second-step:{user.id}" if user else f"second-step:{request.remote_addr}"


@bp.route("/sign-in/code", methods=["GET", "POST"])
@guard(anyone)
@limiter.limit(CODE_LIMIT, key_func=_second_step_key, methods=["POST"], on_breach=_code_paused)
def sign_in_code():
    """The second step of signing in: a code from the app, or a recovery code."""
    user, pending = _second_step()
    if user is None:
        status = 200 if request.method == "GET" else 400
        return render_template("accounts/sign_in_code.html", form=None), status
    form = TwoFactorSignInForm()
    if form.validate_on_submit():
        used = two_factor.second_step(user, form.code.data or form.recovery_code.data)
        if used:
            _open_session(user)
            flash(_("Welcome, %(name)s!", name=user.display_name), "success")
            if used == two_factor.RECOVERY:
                left = two_factor.remaining_recovery_codes(user)
                flash(
                    ngettext(
                        "You used a recovery code: %(num)s is left. Make new ones from your "
                        "account's two-factor page.",
                        "You used a recovery code: %(num)s are left. Make new ones from your "
                        "account's two-factor page.",
                        left,
                    ),
                    "info",
                )
            return redirect(safe_next_url(pending.get("next")) or url_for("main.home"))
        db.session.commit()  # the failure stays in the audit log
        form.code.errors.append(str(two_factor.InvalidCode.message))
    return render_template("accounts/sign_in_code.html", form=form), form_status(form)


def _open_session(user) -> None:
    """Sign ``user`` in on this browser: a new server-side session, in a fresh cookie session
    (nothing from before survives: session fixation)."""
    if current_user.is_authenticated:  # signing in again, perhaps as someone else
        sessions.end(current_user, current_user.session_id)
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    session.permanent = True
    sessions.start(user, request.user_agent.string)
    db.session.commit()
    login_user(user)


def _close_session() -> None:
    """Forget the session in this browser (its row is already gone or going)."""
    locale = session.get("locale")
    logout_user()
    session.clear()
    if locale:
        session["locale"] = locale


@bp.post("/sign-out")
@guard(anyone)
def sign_out():
    if current_user.is_authenticated:
        sessions.end(current_user, current_user.session_id)
        db.session.commit()
    _close_session()
    flash(_("You are signed out."), "info")
    return redirect(url_for("main.home"))


@bp.route("/password/forgotten", methods=["GET", "POST"])
@guard(anyone)
@limiter.limit(MAIL_LIMIT, methods=["POST"])
@limiter.limit(ADDRESS_MAIL_LIMIT, key_func=_email_key, methods=["POST"])
def forgotten_password():
    form = EmailOnlyForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data, current_locale())
        db.session.commit()
        return render_template("accounts/reset_sent.html", email=form.email.data)
    return render_template("accounts/forgotten_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@guard(anyone)
@limiter.limit(SIGN_IN_LIMIT, methods=["POST"])
def reset_password(token: str):
    try:
        account = services.user_for_reset_token(token)
    except services.TokenExpired:
        return _expired_link("reset")
    except services.AccountError as error:
        return render_template("accounts/link_problem.html", message=str(error), kind="reset"), 400
    form = ResetPasswordForm()
    form.account = account
    if form.validate_on_submit():
        services.reset_password(token, form.password.data)
        db.session.commit()
        _close_session()
        flash(_("Your password has been changed. You can now sign in."), "success")
        return redirect(url_for("accounts.sign_in"))
    return render_template("accounts/reset_password.html", form=form)


def _expired_link(kind: str):
    return render_template("accounts/link_problem.html", expired=True, kind=kind), 400


def _account_page(**forms):
    from ..following.routes import preferences_form

    choices = services.neighbourhood_choices()
    profile = forms.get("profile") or ProfileForm(
        prefix="profile",
        display_name=current_user.display_name,
        neighbourhood_id=current_user.neighbourhood_id,
        notify_by_email=current_user.notify_by_email,
        formdata=None,
    )
    profile.set_neighbourhoods(choices)
    return render_template(
        "accounts/account.html",
        profile_form=profile,
        password_form=forms.get("password") or ChangePasswordForm(prefix="password", formdata=None),
        email_form=forms.get("email") or ChangeEmailForm(prefix="email", formdata=None),
        sessions=sessions.active_sessions(current_user),
        mail_form=preferences_form(),
        session_limits=[
            format_timedelta(limit, threshold=1)
            for limit in (sessions.idle_limit(), sessions.absolute_limit())
        ],
    )


@bp.get("/account")
@guard(signed_in)
def account():
    return _account_page()


@bp.post("/account/profile")
@guard(active)
def update_profile():
    form = ProfileForm(prefix="profile")
    form.set_neighbourhoods(services.neighbourhood_choices())
    if not form.validate_on_submit():
        return _account_page(profile=form), 400
    services.update_profile(
        current_user, form.display_name.data, form.neighbourhood_id.data, form.notify_by_email.data
    )
    db.session.commit()
    flash(_("Your profile has been saved."), "success")
    return redirect(url_for("accounts.account"))


@bp.post("/account/password")
@guard(signed_in)
@limiter.limit(SIGN_IN_LIMIT)
def change_password():
    form = ChangePasswordForm(prefix="password")
    form.account = current_user
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.password.data)
        except services.WrongPassword as error:
            form.current_password.errors.append(str(error))
        else:
            return done(
                url_for("accounts.account"),
                _("Your password has been changed. Your other sessions are signed out."),
            )
    return _account_page(password=form), 400


@bp.post("/account/sessions/end")
@guard(signed_in)
def end_session():
    """Sign out one of one's sessions (another device), by its number in the list."""
    session_id = int_arg("session", request.form)
    if session_id is None:
        raise Invalid(_("Choose the session to end in the list."))
    if not sessions.end(current_user, session_id):
        raise NotFound()  # already ended, or not one of theirs
    if session_id == current_user.session_id:
        db.session.commit()
        _close_session()
        flash(_("You are signed out."), "info")
        return redirect(url_for("main.home"))
    return done(url_for("accounts.account"), _("That session is signed out."))


@bp.post("/account/sessions/end-all")
@guard(signed_in)
def end_all_sessions():
    sessions.sign_out_everywhere(current_user)
    db.session.commit()
    _close_session()
    flash(_("You are signed out on every device, this one included."), "info")
    return redirect(url_for("main.home"))


# --- two-factor authentication --------------------------------------------------------------


def _private(page, status: int = 200):
    """A page that shows a secret (the app's key, recovery codes): never kept by a cache."""
    response = current_app.make_response((page, status))
    response.headers["Cache-Control"] = "no-store"
    return response


def _two_factor_page(form=None, renew_form=None, disable_form=None, tried=None):
    user = current_user
    if user.has_two_factor:
        page = render_template(
            "accounts/two_factor.html",
            remaining=two_factor.remaining_recovery_codes(user),
            renew_form=renew_form or PasswordCheckForm(prefix="renew", formdata=None),
            disable_form=disable_form or PasswordCheckForm(prefix="disable", formdata=None),
            problem=tried.error if tried else None,
        )
        return _private(page, form_status(renew_form or disable_form, tried))
    form = form or TwoFactorEnableForm(formdata=None)
    secret = two_factor.pending_secret(user)
    db.session.commit()  # the same key until a code confirms it, however often the page loads
    page = render_template(
        "accounts/two_factor.html",
        form=form,
        secret=two_factor.grouped(secret),
        qr_code=two_factor.qr_code(two_factor.provisioning_uri(user, secret)),
        problem=tried.error if tried else None,
    )
    return _private(page, form_status(form, tried))


@bp.route("/account/two-factor", methods=["GET", "POST"])
@guard(signed_in)
def two_factor_settings():
    """Set up two-factor (scan, then confirm with a code), or see it and manage it."""
    form = TwoFactorEnableForm()
    tried = attempt(form)
    if not current_user.has_two_factor and form.validate_on_submit():
        with tried:
            codes = two_factor.enable(current_user, form.code.data)
            db.session.commit()
            flash(_("Two-factor authentication is on."), "success")
            return _private(render_template("accounts/recovery_codes.html", codes=codes))
    return _two_factor_page(form=form, tried=tried)


@bp.post("/account/two-factor/recovery-codes")
@guard(signed_in)
def renew_recovery_codes():
    form = PasswordCheckForm(prefix="renew")
    tried = attempt(form)
    if form.validate_on_submit():
        with tried:
            codes = two_factor.renew_recovery_codes(current_user, form.current_password.data)
            db.session.commit()
            return _private(render_template("accounts/recovery_codes.html", codes=codes))
    return _two_factor_page(renew_form=form, tried=tried)


@bp.post("/account/two-factor/disable")
@guard(signed_in)
def disable_two_factor():
    form = PasswordCheckForm(prefix="disable")
    tried = attempt(form)
    if form.validate_on_submit():
        with tried:
            two_factor.disable(current_user, form.current_password.data)
            return done(url_for("accounts.account"), _("Two-factor authentication is off."))
    return _two_factor_page(disable_form=form, tried=tried)


@bp.post("/account/email")
@guard(signed_in)
@limiter.limit(MAIL_LIMIT)
def change_email():
    form = ChangeEmailForm(prefix="email")
    if form.validate_on_submit():
        try:
            services.request_email_change(current_user, form.email.data, form.current_password.data)
        except services.WrongPassword as error:
            form.current_password.errors.append(str(error))
        else:
            db.session.commit()
            flash(
                _(
                    "We have sent a link to %(email)s. Your address changes once you follow it.",
                    email=services.normalise_email(form.email.data),
                ),
                "info",
            )
            return redirect(url_for("accounts.account"))
    return _account_page(email=form), 400


@bp.get("/account/email/confirm/<token>")
@guard(anyone)
def confirm_email_change(token: str):
    try:
        services.confirm_email_change(token)
    except services.TokenExpired:
        return _expired_link("change_email")
    except services.AccountError as error:
        return render_template(
            "accounts/link_problem.html", message=str(error), kind="change_email"
        ), 400
    db.session.commit()
    flash(_("Your e-mail address has been changed."), "success")
    return redirect(
        url_for("accounts.account" if current_user.is_authenticated else "accounts.sign_in")
    )


@bp.post("/account/confirmation")
@guard(signed_in)
@limiter.limit(MAIL_LIMIT)
def send_confirmation_again():
    services.send_confirmation(current_user)
    db.session.commit()
    flash(_("We have sent you a new confirmation link."), "info")
    return redirect(url_for("accounts.account"))


@bp.app_context_processor
def account_settings():
    return {"password_min_length": current_app.config["PASSWORD_MIN_LENGTH"]}
