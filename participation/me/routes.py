import json
from datetime import UTC, datetime

from flask import Response, current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import to_user_timezone
from flask_login import current_user, logout_user

from ..accounts.rules import is_last_admin
from ..extensions import db, limiter
from ..policy import signed_in
from ..views import attempt, form_status, guard, page_arg
from . import bp, services
from .forms import EraseAccountForm

ERASE_LIMIT = "5 per minute; 20 per hour"

# Every template can name an author the same way: display_author(proposal.author).
bp.add_app_template_global(services.display_author, "display_author")


def _account_key() -> str:
    return f"user:{current_user.id}" if current_user.is_authenticated else "anonymous"


def _paginate(query, arg: str):
    return db.paginate(
        query, page=page_arg(arg), per_page=current_app.config["PAGE_SIZE"], error_out=False
    )


@bp.get("")
@guard(signed_in)
def index():
    proposals = _paginate(services.my_proposals_query(current_user), "proposals_page")
    supports = _paginate(services.my_supports_query(current_user), "supports_page")
    comments = _paginate(services.my_comments_query(current_user), "comments_page")
    return render_template(
        "me/index.html",
        proposals=proposals,
        latest_events=services.latest_public_events([p.id for p in proposals.items]),
        joined=services.merge_destinations(proposals.items),
        supports=supports,
        supported=services.proposals_by_id([s.proposal_id for s in supports.items]),
        comments=comments,
    )


@bp.get("/data.json")
@guard(signed_in)
def data():
    document = json.dumps(services.account_data(current_user), ensure_ascii=False, indent=2)
    today = to_user_timezone(datetime.now(UTC)).date().isoformat()
    return Response(
        document,
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="bethune-2032-my-data-{today}.json"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/erase", methods=["GET", "POST"])
@guard(signed_in)
@limiter.limit(ERASE_LIMIT, methods=["POST"])
@limiter.limit(ERASE_LIMIT, key_func=_account_key, methods=["POST"])
def erase():
    problem = services.LastAdminCannotErase() if is_last_admin(current_user) else None
    form, tried = EraseAccountForm(), attempt()
    if problem is None and form.validate_on_submit():
        tried.form = form
        with tried:
            services.erase_account(current_user, form.current_password.data)
            db.session.commit()
            _end_session()
            flash(_("Your account has been erased. Thank you for taking part."), "success")
            return redirect(url_for("main.home"))
    problem = problem or tried.error
    return render_template(
        "me/erase.html",
        form=form,
        problem=problem,
        withdrawn=services.supports_withdrawn_by_erasure(current_user),
    ), form_status(form, problem=problem)


def _end_session() -> None:
    locale = session.get("locale")
    logout_user()
    session.clear()
    if locale:
        session["locale"] = locale
