from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import db, limiter
from ..templating import current_locale
from ..utils import safe_next_url
from . import bp, loader, services  # noqa: F401  (loader registers the user loader)
from .forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    EmailOnlyForm,
    ProfileForm,
    ResetPasswordForm,
    SignInForm,
    SignUpForm,
)

SIGN_IN_LIMIT = "10 per minute; 60 per hour"
SIGN_UP_LIMIT = "5 per minute; 20 per hour"
MAIL_LIMIT = "5 per minute; 20 per hour"


def _email_key() -> str:
    return "email:" + services.normalise_email(request.form.get("email", ""))


@bp.route("/sign-up", methods=["GET", "POST"])
@limiter.limit(SIGN_UP_LIMIT, methods=["POST"])
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
@limiter.limit(MAIL_LIMIT, methods=["POST"])
def resend_confirmation():
    form = EmailOnlyForm()
    if form.validate_on_submit():
        services.resend_confirmation(form.email.data, current_locale())
        db.session.commit()
        return render_template("accounts/check_inbox.html", email=form.email.data)
    return render_template("accounts/resend_confirmation.html", form=form)


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(SIGN_IN_LIMIT, methods=["POST"])
@limiter.limit("5 per minute", key_func=_email_key, methods=["POST"])
def sign_in():
    form = SignInForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            db.session.commit()
            locale = session.get("locale")
            # A fresh session at sign-in: nothing from before survives (session fixation).
            session.clear()
            if locale:
                session["locale"] = locale
            session.permanent = True
            login_user(user)
            flash(_("Welcome, %(name)s.", name=user.display_name), "success")
            return redirect(safe_next_url(form.next.data) or url_for("main.home"))
        form.password.errors.append(_("The e-mail address or the password is not correct."))
    return render_template("accounts/sign_in.html", form=form)


@bp.post("/sign-out")
def sign_out():
    locale = session.get("locale")
    logout_user()
    session.clear()
    if locale:
        session["locale"] = locale
    flash(_("You are signed out."), "info")
    return redirect(url_for("main.home"))


@bp.route("/password/forgotten", methods=["GET", "POST"])
@limiter.limit(MAIL_LIMIT, methods=["POST"])
@limiter.limit("3 per hour", key_func=_email_key, methods=["POST"])
def forgotten_password():
    form = EmailOnlyForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data, current_locale())
        db.session.commit()
        return render_template("accounts/reset_sent.html", email=form.email.data)
    return render_template("accounts/forgotten_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(SIGN_IN_LIMIT, methods=["POST"])
def reset_password(token: str):
    try:
        services.user_for_reset_token(token)
    except services.TokenExpired:
        return _expired_link("reset")
    except services.AccountError as error:
        return render_template("accounts/link_problem.html", message=str(error), kind="reset"), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.reset_password(token, form.password.data)
        db.session.commit()
        logout_user()
        flash(_("Your password has been changed. You can now sign in."), "success")
        return redirect(url_for("accounts.sign_in"))
    return render_template("accounts/reset_password.html", form=form)


def _expired_link(kind: str):
    return render_template("accounts/link_problem.html", expired=True, kind=kind), 400


def _account_page(**forms):
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
    )


@bp.get("/account")
@login_required
def account():
    return _account_page()


@bp.post("/account/profile")
@login_required
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
@login_required
@limiter.limit(SIGN_IN_LIMIT)
def change_password():
    form = ChangePasswordForm(prefix="password")
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.password.data)
        except services.WrongPassword as error:
            form.current_password.errors.append(str(error))
        else:
            db.session.commit()
            # The nonce changed: sign this session in again, the others are now signed out.
            login_user(current_user._get_current_object())
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("accounts.account"))
    return _account_page(password=form), 400


@bp.post("/account/email")
@login_required
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
@login_required
@limiter.limit(MAIL_LIMIT)
def send_confirmation_again():
    services.send_confirmation(current_user)
    db.session.commit()
    flash(_("We have sent you a new confirmation link."), "info")
    return redirect(url_for("accounts.account"))


@bp.app_context_processor
def account_settings():
    return {"password_min_length": current_app.config["PASSWORD_MIN_LENGTH"]}
