import json
from datetime import UTC, datetime

from flask import Response, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import to_user_timezone
from flask_login import current_user, login_required, logout_user

from ..extensions import db, limiter
from . import bp, services
from .forms import EraseAccountForm

ERASE_LIMIT = "5 per minute; 20 per hour"

# Every template can name an author the same way: display_author(proposal.author).
bp.add_app_template_global(services.display_author, "display_author")


def proposal_url(proposal, **kwargs) -> str:
    """The public page of a proposal; the one place these pages build that link."""
    return url_for("proposals.show", slug=proposal.round.slug, number=proposal.number, **kwargs)


@bp.context_processor
def me_helpers():
    return {"proposal_url": proposal_url}


def _account_key() -> str:
    return f"user:{current_user.id}" if current_user.is_authenticated else "anonymous"


def _page_arg(name: str) -> int:
    return max(request.args.get(name, 1, type=int), 1)


def _paginate(query, arg: str):
    return db.paginate(
        query, page=_page_arg(arg), per_page=current_app.config["PAGE_SIZE"], error_out=False
    )


@bp.get("")
@login_required
def index():
    proposals = _paginate(services.my_proposals_query(current_user), "proposals_page")
    supports = _paginate(services.my_supports_query(current_user), "supports_page")
    comments = _paginate(services.my_comments_query(current_user), "comments_page")
    return render_template(
        "me/index.html",
        proposals=proposals,
        latest_events=services.latest_public_events([p.id for p in proposals.items]),
        supports=supports,
        supported=services.proposals_by_id([s.proposal_id for s in supports.items]),
        comments=comments,
    )


@bp.get("/data.json")
@login_required
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
@login_required
@limiter.limit(ERASE_LIMIT, methods=["POST"])
@limiter.limit(ERASE_LIMIT, key_func=_account_key, methods=["POST"])
def erase():
    problem = services.LastAdminCannotErase() if services.is_last_admin(current_user) else None
    form = EraseAccountForm()
    if problem is None and form.validate_on_submit():
        try:
            services.erase_account(current_user, form.current_password.data)
        except services.WrongPassword as error:
            form.current_password.errors.append(str(error))
        except services.LastAdminCannotErase as error:
            problem = error
        else:
            db.session.commit()
            _end_session()
            flash(_("Your account has been erased. Thank you for taking part."), "success")
            return redirect(url_for("main.home"))
    status = 400 if request.method == "POST" else 200
    return render_template("me/erase.html", form=form, problem=problem), status


def _end_session() -> None:
    locale = session.get("locale")
    logout_user()
    session.clear()
    if locale:
        session["locale"] = locale
