import secrets

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..accounts.services import neighbourhood_choices
from ..extensions import db, limiter
from ..models import Origin, ProposalStatus, Role, utcnow
from . import bp, errors, rules, state, supports
from .forms import ProposalForm, WithdrawForm
from .services import (
    SORTS,
    ProposalFilters,
    ProposalInput,
    browse_query,
    edit_proposal,
    get_proposal_or_404,
    load_round_with_pillars,
    public_trail,
    similar_proposals,
    submit_proposal,
    withdraw_proposal,
)

POST_LIMIT = "5 per minute; 30 per day"


def _account_key() -> str:
    return f"user:{current_user.get_id()}" if current_user.is_authenticated else "anonymous"


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


def _proposal_url(proposal, **kwargs) -> str:
    return url_for("proposals.show", slug=proposal.round.slug, number=proposal.number, **kwargs)


def _load_visible(slug: str, number: int):
    round_ = load_round_with_pillars(slug)
    proposal = get_proposal_or_404(round_, number)
    if not rules.can_view(proposal, current_user):
        abort(404)
    return round_, proposal


@bp.get("/")
def index(slug: str):
    round_ = load_round_with_pillars(slug)
    sort = request.args.get("sort", "supports")
    seed = _int_arg("seed")
    if sort == "random" and not seed:
        # A fresh random order per visit, kept while paging through the same link.
        args = request.args.to_dict()
        args.update(seed=secrets.randbelow(10**6) + 1)
        return redirect(url_for("proposals.index", slug=slug, **args))
    filters = ProposalFilters(
        pillar_id=_int_arg("pillar"),
        neighbourhood_id=_int_arg("neighbourhood"),
        status=request.args.get("status") or None,
        origin=request.args.get("origin") or None,
        search=request.args.get("q", ""),
        sort=sort if sort in SORTS else "supports",
        seed=seed or 1,
    )
    page = db.paginate(
        browse_query(round_, filters), per_page=current_app.config["PAGE_SIZE"], error_out=False
    )
    return render_template(
        "proposals/index.html",
        round=round_,
        page=page,
        filters=filters,
        neighbourhoods=neighbourhood_choices(),
        statuses=[s for s in ProposalStatus if s.is_public],
        origins=list(Origin),
        supported=supports.supported_ids(current_user, [p.id for p in page.items]),
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
@limiter.limit(POST_LIMIT, methods=["POST"])
@limiter.limit(POST_LIMIT, key_func=_account_key, methods=["POST"])
def new(slug: str):
    round_ = load_round_with_pillars(slug)
    form = ProposalForm(pillar_id=_int_arg("pillar"))
    form.set_choices(round_.pillars, neighbourhood_choices())
    problem = rules.posting_problem(current_user)
    if problem is None and not round_.accepts_proposals_at(utcnow()):
        problem = errors.PhaseClosed()
    similar = []
    if problem is None and form.validate_on_submit():
        data = ProposalInput(
            form.title.data, form.body.data, form.pillar_id.data, form.neighbourhood_id.data
        )
        if form.similar_checked.data != "1":
            similar = similar_proposals(round_, data.title, data.body)
        if not similar:
            try:
                proposal = submit_proposal(current_user, round_, data)
            except errors.ParticipationError as error:
                problem = error
            else:
                db.session.commit()
                if proposal.status == ProposalStatus.PUBLISHED:
                    flash(_("Thank you! Your proposal is published."), "success")
                else:
                    flash(
                        _(
                            "Thank you! Your proposal will be published once a moderator has checked it."
                        ),
                        "success",
                    )
                return redirect(_proposal_url(proposal))
        form.similar_checked.data = "1"
    status = 400 if (problem or form.errors) and request.method == "POST" else 200
    return render_template(
        "proposals/form.html",
        round=round_,
        form=form,
        problem=problem,
        similar=similar,
        supported=supports.supported_ids(current_user, [p.id for p in similar]),
    ), status


@bp.get("/<int:number>")
def show(slug: str, number: int):
    round_, proposal = _load_visible(slug, number)
    is_moderator = current_user.is_authenticated and current_user.has_role(Role.MODERATOR)
    from ..comments import rules as comment_rules
    from ..comments.services import comment_thread

    page = request.args.get("comments_page", 1, type=int)
    return render_template(
        "proposals/show.html",
        round=round_,
        proposal=proposal,
        trail=public_trail(proposal, include_private=is_moderator),
        supported=bool(supports.supported_ids(current_user, [proposal.id])),
        thread=comment_thread(proposal, max(page, 1), current_user),
        withdraw_form=WithdrawForm(),
        support_problem=rules.support_problem(proposal, current_user),
        comment_rules=comment_rules,
        state=state,
    )


@bp.route("/<int:number>/edit", methods=["GET", "POST"])
@login_required
@limiter.limit(POST_LIMIT, methods=["POST"])
def edit(slug: str, number: int):
    round_, proposal = _load_visible(slug, number)
    problem = rules.edit_problem(proposal, current_user)
    if isinstance(problem, errors.NotAllowed):
        abort(403)
    form = ProposalForm(obj=proposal)
    form.set_choices(round_.pillars, neighbourhood_choices())
    if problem is None and form.validate_on_submit():
        data = ProposalInput(
            form.title.data, form.body.data, form.pillar_id.data, form.neighbourhood_id.data
        )
        try:
            edit_proposal(proposal, current_user, data)
        except errors.ParticipationError as error:
            problem = error
        else:
            db.session.commit()
            flash(_("Your changes are saved."), "success")
            return redirect(_proposal_url(proposal))
    status = 400 if (problem or form.errors) and request.method == "POST" else 200
    return render_template(
        "proposals/form.html",
        round=round_,
        form=form,
        proposal=proposal,
        problem=problem,
        similar=[],
        supported=set(),
    ), status


@bp.route("/<int:number>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(slug: str, number: int):
    round_, proposal = _load_visible(slug, number)
    if not rules.can_withdraw(proposal, current_user):
        abort(403)
    form = WithdrawForm()
    if form.validate_on_submit():
        withdraw_proposal(proposal, current_user, form.reason.data)
        db.session.commit()
        flash(_("Your proposal is withdrawn."), "info")
        return redirect(_proposal_url(proposal))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "proposals/withdraw.html", round=round_, proposal=proposal, form=form
    ), status


def _support_response(proposal, supported: bool, message: str, category: str, status: int = 200):
    if request.accept_mimetypes.best == "application/json":
        db.session.refresh(proposal)
        return jsonify(
            supported=supported,
            support_count=proposal.support_count,
            message=message,
        ), status
    flash(message, category)
    return redirect(_proposal_url(proposal, _anchor="support"))


@bp.post("/<int:number>/support")
@login_required
@limiter.limit("30 per minute", key_func=_account_key)
def support(slug: str, number: int):
    _round, proposal = _load_visible(slug, number)
    try:
        supports.support(proposal, current_user)
    except errors.AlreadySupported:
        db.session.rollback()
        return _support_response(proposal, True, _("You already support this proposal."), "info")
    except errors.ParticipationError as error:
        db.session.rollback()
        return _support_response(proposal, False, str(error), "error", 409)
    db.session.commit()
    return _support_response(proposal, True, _("Thank you for your support."), "success")


@bp.post("/<int:number>/unsupport")
@login_required
@limiter.limit("30 per minute", key_func=_account_key)
def unsupport(slug: str, number: int):
    _round, proposal = _load_visible(slug, number)
    try:
        supports.withdraw_support(proposal, current_user)
    except errors.ParticipationError as error:
        db.session.rollback()
        return _support_response(proposal, True, str(error), "error", 409)
    db.session.commit()
    return _support_response(proposal, False, _("Your support has been taken back."), "info")
