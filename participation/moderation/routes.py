from flask import abort, flash, has_request_context, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..comments.services import get_comment_or_404
from ..extensions import db
from ..models import AuditEntry, Comment, Proposal, ProposalStatus, Role, User
from ..permissions import role_required
from ..proposals import errors, state
from ..proposals.services import public_trail
from ..utils import safe_next_url
from . import bp, queues, services
from .forms import BulkForm, DecisionForm, MergeForm, OptionalReasonForm, ReasonForm

moderator_required = role_required(Role.MODERATOR)


def _int_arg(name: str) -> int | None:
    value = request.values.get(name, "")
    return int(value) if value.isdigit() else None


def _filters() -> queues.QueueFilters:
    return queues.QueueFilters(round_id=_int_arg("round"), pillar_id=_int_arg("pillar"))


@bp.get("/")
@moderator_required
def home():
    filters = _filters()
    rounds, pillars = queues.filter_choices()
    return render_template(
        "moderation/home.html",
        filters=filters,
        rounds=rounds,
        pillars=pillars,
        to_publish=queues.awaiting_publication(filters),
        reports=queues.open_reports(filters),
        backlog=queues.decisions_by_pillar(filters),
        to_decide=queues.awaiting_decision(filters),
        duplicates=queues.likely_duplicates(filters),
        bulk_form=BulkForm(),
    )


@bp.post("/bulk")
@moderator_required
def bulk():
    form = BulkForm()
    ids = [int(i) for i in request.form.getlist("proposal_ids") if i.isdigit()]
    back = safe_next_url(request.form.get("back")) or url_for("moderation.home")
    if not form.validate_on_submit() or not ids:
        flash(_("Select at least one proposal and an action."), "error")
        return redirect(back)
    proposals = db.session.scalars(select(Proposal).where(Proposal.id.in_(ids))).all()
    try:
        for proposal in proposals:
            if form.action.data == "publish":
                services.publish(proposal, current_user)
            else:
                services.decide(
                    proposal, current_user, ProposalStatus(form.action.data), form.reason.data
                )
    except errors.ParticipationError as error:
        db.session.rollback()
        flash(
            _("Nothing was changed: %(error)s (%(code)s)", error=error, code=proposal.code), "error"
        )
        return redirect(back)
    db.session.commit()
    flash(
        ngettext("%(num)d proposal updated.", "%(num)d proposals updated.", len(proposals)),
        "success",
    )
    return redirect(back)


def _load_proposal(proposal_id: int) -> Proposal:
    return db.first_or_404(
        select(Proposal)
        .where(Proposal.id == proposal_id)
        .options(
            joinedload(Proposal.round), joinedload(Proposal.pillar), joinedload(Proposal.author)
        )
    )


def _proposal_page(proposal: Proposal, status: int = 200, **forms):
    decision = forms.get("decision") or DecisionForm(prefix="decision", formdata=None)
    decision.set_targets(
        [
            t
            for t in state.allowed_targets(proposal, current_user)
            if t is not ProposalStatus.WITHDRAWN
        ]
    )
    reports = queues.reports_for(proposal)
    return render_template(
        "moderation/proposal.html",
        proposal=proposal,
        trail=public_trail(proposal, include_private=True),
        reports=reports,
        decision_form=decision,
        hide_form=forms.get("hide") or ReasonForm(prefix="hide", formdata=None),
        dismiss_form=OptionalReasonForm(formdata=None),
        own=proposal.author_id == current_user.id,
    ), status


@bp.get("/proposals/<int:proposal_id>")
@moderator_required
def proposal(proposal_id: int):
    return _proposal_page(_load_proposal(proposal_id))


def _done(proposal: Proposal, message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("moderation.proposal", proposal_id=proposal.id))


@bp.post("/proposals/<int:proposal_id>/publish")
@moderator_required
def publish(proposal_id: int):
    proposal = _load_proposal(proposal_id)
    try:
        services.publish(proposal, current_user)
    except errors.ParticipationError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _proposal_page(proposal, 409)
    return _done(proposal, _("The proposal is published."))


@bp.post("/proposals/<int:proposal_id>/decide")
@moderator_required
def decide(proposal_id: int):
    proposal = _load_proposal(proposal_id)
    form = DecisionForm(prefix="decision")
    form.set_targets(state.allowed_targets(proposal, current_user))
    if form.validate_on_submit():
        try:
            services.decide(
                proposal, current_user, ProposalStatus(form.target.data), form.reason.data
            )
        except errors.ParticipationError as error:
            db.session.rollback()
            form.reason.errors.append(str(error))
        else:
            return _done(proposal, _("The decision is recorded and shown publicly."))
    return _proposal_page(proposal, 400, decision=form)


def _hide_or_restore(item, proposal: Proposal, hide: bool):
    form = ReasonForm(prefix="hide")
    if form.validate_on_submit():
        try:
            changed = (services.hide if hide else services.restore)(
                item, current_user, form.reason.data
            )
        except errors.ParticipationError as error:
            db.session.rollback()
            form.reason.errors.append(str(error))
        else:
            message = (
                (_("Hidden.") if hide else _("Shown again."))
                if changed
                else _("Nothing to change.")
            )
            return _done(proposal, message)
    return _proposal_page(proposal, 400, hide=form)


@bp.post("/proposals/<int:proposal_id>/hide")
@moderator_required
def hide_proposal(proposal_id: int):
    proposal = _load_proposal(proposal_id)
    return _hide_or_restore(proposal, proposal, hide=True)


@bp.post("/proposals/<int:proposal_id>/restore")
@moderator_required
def restore_proposal(proposal_id: int):
    proposal = _load_proposal(proposal_id)
    return _hide_or_restore(proposal, proposal, hide=False)


@bp.post("/comments/<int:comment_id>/hide")
@moderator_required
def hide_comment(comment_id: int):
    comment = get_comment_or_404(comment_id)
    return _hide_or_restore(comment, _load_proposal(comment.proposal_id), hide=True)


@bp.post("/comments/<int:comment_id>/restore")
@moderator_required
def restore_comment(comment_id: int):
    comment = get_comment_or_404(comment_id)
    return _hide_or_restore(comment, _load_proposal(comment.proposal_id), hide=False)


@bp.post("/reports/dismiss")
@moderator_required
def dismiss_reports():
    form = OptionalReasonForm()
    item = None
    if _int_arg("comment_id"):
        item = get_comment_or_404(_int_arg("comment_id"))
    elif _int_arg("proposal_id"):
        item = _load_proposal(_int_arg("proposal_id"))
    if item is None or not form.validate_on_submit():
        abort(400)
    try:
        count = services.dismiss_reports(item, current_user, form.reason.data)
    except errors.ParticipationError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(ngettext("%(num)d report dismissed.", "%(num)d reports dismissed.", count), "success")
    return redirect(safe_next_url(request.form.get("back")) or url_for("moderation.home"))


@bp.post("/reports/dismiss-selected")
@moderator_required
def dismiss_selected_reports():
    """Dismiss the reports of several items at once ("proposal:<id>" or "comment:<id>")."""
    back = safe_next_url(request.form.get("back")) or url_for("moderation.home")
    form = OptionalReasonForm()
    items = []
    for value in request.form.getlist("items"):
        kind, _sep, ident = value.partition(":")
        if ident.isdigit() and kind == "comment":
            items.append(db.session.get(Comment, int(ident)))
        elif ident.isdigit() and kind == "proposal":
            items.append(db.session.get(Proposal, int(ident)))
    items = [item for item in items if item is not None]
    if not items or not form.validate_on_submit():
        flash(_("Select at least one reported item."), "error")
        return redirect(back)
    try:
        count = sum(
            services.dismiss_reports(item, current_user, form.reason.data) for item in items
        )
    except errors.ParticipationError as error:
        db.session.rollback()
        flash(_("Nothing was changed: %(error)s", error=error), "error")
        return redirect(back)
    db.session.commit()
    flash(ngettext("%(num)d report dismissed.", "%(num)d reports dismissed.", count), "success")
    return redirect(back)


@bp.route("/merge", methods=["GET", "POST"])
@moderator_required
def merge():
    ids = [int(i) for i in request.values.getlist("ids") if i.isdigit()]
    proposals = (
        db.session.scalars(
            select(Proposal).where(Proposal.id.in_(ids)).options(joinedload(Proposal.pillar))
        )
        .unique()
        .all()
    )
    if len(proposals) < 2:
        flash(_("Choose at least two proposals to merge."), "error")
        return redirect(url_for("moderation.home"))
    form = MergeForm()
    form.kept.choices = [(p.id, f"{p.code} — {p.title}") for p in proposals]
    if form.validate_on_submit():
        kept = next(p for p in proposals if p.id == form.kept.data)
        try:
            services.merge(
                kept, [p for p in proposals if p is not kept], current_user, form.note.data
            )
        except errors.ParticipationError as error:
            db.session.rollback()
            form.kept.errors.append(str(error))
        else:
            return _done(kept, _("Merged. The supports now count once for the kept proposal."))
    status = 400 if request.method == "POST" else 200
    return render_template("moderation/merge.html", form=form, proposals=proposals), status


@bp.get("/users")
@moderator_required
def users():
    from ..admin.services import users_query

    search = request.args.get("q", "")[:100]
    page = db.paginate(users_query(search), per_page=20, error_out=False) if search else None
    return render_template(
        "moderation/users.html", page=page, search=search, form=ReasonForm(formdata=None)
    )


@bp.post("/users/<int:user_id>/block")
@moderator_required
def block(user_id: int):
    user = db.get_or_404(User, user_id)
    form = ReasonForm()
    back = safe_next_url(request.form.get("back")) or url_for("moderation.users")
    if not form.validate_on_submit():
        flash(_("Give the reason for blocking this account."), "error")
        return redirect(back)
    try:
        services.block(user, current_user, form.reason.data)
    except errors.ParticipationError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(back)
    db.session.commit()
    flash(_("%(name)s is blocked: they can read but not post.", name=user.display_name), "success")
    return redirect(back)


@bp.post("/users/<int:user_id>/unblock")
@moderator_required
def unblock(user_id: int):
    user = db.get_or_404(User, user_id)
    back = safe_next_url(request.form.get("back")) or url_for("moderation.users")
    try:
        services.unblock(user, current_user, request.form.get("reason"))
    except errors.ParticipationError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(back)
    db.session.commit()
    flash(_("%(name)s can post again.", name=user.display_name), "success")
    return redirect(back)


@bp.get("/audit")
@role_required(Role.ADMIN)
def audit_log():
    query = (
        select(AuditEntry)
        .options(joinedload(AuditEntry.actor))
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    )
    action = request.args.get("action", "")[:60]
    if action:
        query = query.where(AuditEntry.action.startswith(action))
    actor = _int_arg("actor")
    if actor:
        query = query.where(AuditEntry.actor_id == actor)
    page = db.paginate(query, per_page=50, error_out=False)
    actions = db.session.scalars(
        select(AuditEntry.action).distinct().order_by(AuditEntry.action)
    ).all()
    return render_template("moderation/audit.html", page=page, action=action, actions=actions)


@bp.app_context_processor
def moderation_globals():
    # Mail templates are rendered outside requests too, where there is no current user.
    return {"is_moderator": has_request_context() and services.is_moderator(current_user)}
