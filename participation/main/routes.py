from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user

from ..extensions import csrf, db
from ..policy import anyone
from ..rounds.services import home_rounds
from ..utils import safe_next_url
from ..views import guard
from . import bp, services


@bp.get("/")
@guard(anyone)
def home():
    current, archived = home_rounds()
    pillars = services.pillars_with_progress()
    return render_template(
        "main/home.html",
        current_rounds=current,
        archived_rounds=archived,
        pillars=pillars,
        figures=services.key_figures(pillars),
        kept=services.latest_kept(),
        pillar_icon=services.pillar_icon,
    )


@bp.post("/language")
@csrf.exempt
@guard(anyone)
def set_language():
    # A visitor's choice changes only their own session, so their pages carry no CSRF token
    # and caches may share them; a signed-in person's choice is saved to the account, and that
    # needs the token.
    if current_user.is_authenticated and current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()
    locale = request.form.get("locale", "")
    if locale not in current_app.config["LANGUAGES"]:
        abort(400)
    session["locale"] = locale
    if current_user.is_authenticated:
        current_user.locale = locale
        db.session.commit()
    return redirect(safe_next_url(request.form.get("next")) or url_for("main.home"))


@bp.get("/privacy")
@guard(anyone)
def privacy():
    return render_template("main/privacy.html")


@bp.get("/accessibility")
@guard(anyone)
def accessibility():
    return render_template("main/accessibility.html")
