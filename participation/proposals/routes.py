import secrets

from flask import current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.services import neighbourhood_choices, neighbourhoods
from ..errors import answers_script
from ..extensions import db, limiter
from ..models import Origin, ProposalStatus
from ..policy import anyone, can_post
from ..text import render_markdown
from ..views import attempt, done, form_status, guard, int_arg, page_arg
from . import bp, rules, supports
from .forms import ProposalForm, WithdrawForm
from .services import (
    BODY_MAX,
    SORTS,
    ProposalFilters,
    browse_page,
    edit_proposal,
    final_proposal,
    load_round_with_pillars,
    proposal_in_url,
    similar_proposals,
    submit_proposal,
    trail,
    withdraw_proposal,
)
from .state import PUBLIC_STATUSES

POST_LIMIT = "5 per minute; 30 per day"
# The live preview asks while one types (the script waits for a pause between two requests).
PREVIEW_LIMIT = "40 per minute"


def _previewing() -> bool:
    """The form's Preview button: the text shown as it will read, nothing saved."""
    return request.method == "POST" and "preview" in request.form


def _account_key() -> str:
    return f"user:{current_user.id}" if current_user.is_authenticated else "anonymous"


def _proposal_url(proposal, **kwargs) -> str:
    return url_for("proposals.show", slug=proposal.round.slug, number=proposal.number, **kwargs)


@bp.get("/")
@guard(anyone)
def index(slug: str):
    round_ = load_round_with_pillars(slug)
    sort = request.args.get("sort", "supports")
    seed = int_arg("seed")
    if sort == "random" and not seed:
        # A fresh random order per visit, kept while paging through the same link.
        args = request.args.to_dict()
        args.update(seed=secrets.randbelow(10**6) + 1)
        return redirect(url_for("proposals.index", slug=slug, **args))
    filters = ProposalFilters(
        pillar_id=int_arg("pillar"),
        neighbourhood_id=int_arg("neighbourhood"),
        status=request.args.get("status") or None,
        origin=request.args.get("origin") or None,
        search=request.args.get("q", ""),
        sort=sort if sort in SORTS else "supports",
        seed=seed or 1,
    )
    places = neighbourhoods()
    page = browse_page(round_, filters, page_arg(), current_app.config["PAGE_SIZE"], places)
    return render_template(
        "proposals/index.html",
        round=round_,
        page=page,
        filters=filters,
        neighbourhoods=places,
        statuses=PUBLIC_STATUSES,
        origins=list(Origin),
        supported=supports.supported_ids(current_user, [p.id for p in page.items]),
    )


@bp.route("/new", methods=["GET", "POST"])
@guard(can_post, load=load_round_with_pillars)
@limiter.limit(POST_LIMIT, methods=["POST"], exempt_when=_previewing)
@limiter.limit(POST_LIMIT, key_func=_account_key, methods=["POST"], exempt_when=_previewing)
def new(round_):
    # Who may post is the guard's; whether the round takes proposals now is said on the page,
    # with what was typed kept (a proposal sent as the collection closes is not lost).
    form = ProposalForm(pillar_id=int_arg("pillar"))
    form.set_choices(round_.pillars, neighbourhood_choices())
    verdict, similar, tried = rules.can_submit(current_user, round_), [], attempt(form)
    if verdict and not _previewing() and form.validate_on_submit():
        data = form.to_input()
        if form.similar_checked.data != "1":
            similar = similar_proposals(round_, data.title, data.body)
        if not similar:
            with tried:
                proposal = submit_proposal(current_user, round_, data)
                if proposal.status == ProposalStatus.PUBLISHED:
                    message = _("Thank you! Your proposal is published.")
                else:
                    message = _(
                        "Thank you! Your proposal will be published once a moderator has checked it."
                    )
                return done(_proposal_url(proposal), message)
        form.similar_checked.data = "1"
    problem = tried.error or verdict.reason
    return render_template(
        "proposals/form.html",
        round=round_,
        form=form,
        problem=problem,
        similar=similar,
        supported=supports.supported_ids(current_user, [p.id for p in similar]),
        preview_html=_preview_html(form),
    ), form_status(form, problem=problem)


@bp.get("/similar")
@guard(can_post, load=load_round_with_pillars)
def similar(round_):
    """While a resident types a title (the form's script): the proposals it may repeat."""
    title = request.args.get("title", "")[:150]
    return render_template(
        "proposals/_similar_live.html",
        round=round_,
        similar=similar_proposals(round_, title) if len(title) >= 3 else [],
    )


@bp.get("/<int:number>")
@guard(rules.can_view, load=proposal_in_url)
def show(proposal):
    from ..comments.services import comment_thread
    from ..following.services import follows
    from .reader import reader_marks

    marks = reader_marks(current_user, proposal)
    return render_template(
        "proposals/show.html",
        round=proposal.round,
        proposal=proposal,
        trail=trail(proposal, current_user),
        supported=marks.supported,
        thread=comment_thread(
            proposal, int_arg("comments_page") or 1, current_user, reports=marks.reports
        ),
        support=rules.can_support(current_user, proposal),
        final=final_proposal(proposal),
        following=follows(current_user, proposal, followed=marks.followed),
    )


@bp.route("/<int:number>/edit", methods=["GET", "POST"])
@guard(rules.can_edit, load=proposal_in_url)
@limiter.limit(POST_LIMIT, methods=["POST"], exempt_when=_previewing)
def edit(proposal):
    form = ProposalForm(obj=proposal.revision or proposal)
    form.set_choices(proposal.round.pillars, neighbourhood_choices())
    tried, waiting = attempt(form), proposal.revision
    if not _previewing() and form.validate_on_submit():
        with tried:
            if edit_proposal(proposal, current_user, form.to_input()):
                message = _("Your changes are saved.")
            elif waiting is not None:
                message = _(
                    "Your changes are saved in place of those that were waiting. They will "
                    "replace the published text once a moderator has checked them."
                )
            else:
                message = _(
                    "Your changes are saved. They will replace the published text once a "
                    "moderator has checked them."
                )
            return done(_proposal_url(proposal), message)
    return render_template(
        "proposals/form.html",
        round=proposal.round,
        form=form,
        proposal=proposal,
        problem=tried.error,
        needs_review=rules.edit_needs_review(proposal),
        waiting=waiting,
        similar=[],
        supported=set(),
        preview_html=_preview_html(form),
    ), form_status(form, tried)


def _preview_html(form) -> str | None:
    return render_markdown((form.body.data or "")[:BODY_MAX]) if _previewing() else None


@bp.post("/preview")
@guard(can_post, load=load_round_with_pillars)
@limiter.limit(PREVIEW_LIMIT, key_func=_account_key)
def preview(round_):
    """The text as it will read, for the form's live preview (its script)."""
    return jsonify(html=render_markdown(request.form.get("body", "")[:BODY_MAX]))


@bp.route("/<int:number>/withdraw", methods=["GET", "POST"])
@guard(rules.can_withdraw, load=proposal_in_url)
def withdraw(proposal):
    form = WithdrawForm()
    if form.validate_on_submit():
        withdraw_proposal(proposal, current_user, form.reason.data)
        return done(_proposal_url(proposal), _("Your proposal is withdrawn."), "info")
    return render_template(
        "proposals/withdraw.html", round=proposal.round, proposal=proposal, form=form
    ), form_status(form)


def _supported(proposal, supported: bool, message: str, category: str):
    """The answer to a support button: JSON for the script, else back to the proposal."""
    if answers_script():
        db.session.commit()
        db.session.refresh(proposal)
        return jsonify(supported=supported, support_count=proposal.support_count, message=message)
    return done(_proposal_url(proposal, _anchor="support"), message, category)


@bp.post("/<int:number>/support")
@guard(rules.can_support, load=proposal_in_url)
@limiter.limit("30 per minute", key_func=_account_key)
def support(proposal):
    if supports.support(proposal, current_user):
        return _supported(proposal, True, _("Thank you for your support."), "success")
    return _supported(proposal, True, _("You already support this proposal."), "info")


@bp.post("/<int:number>/unsupport")
@guard(rules.can_unsupport, load=proposal_in_url)
@limiter.limit("30 per minute", key_func=_account_key)
def unsupport(proposal):
    supports.withdraw_support(proposal, current_user)
    return _supported(proposal, False, _("Your support has been taken back."), "info")
