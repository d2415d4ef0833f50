from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..extensions import db, limiter
from ..models import Comment, Proposal
from ..proposals import errors as proposal_errors
from ..proposals.rules import can_view
from . import bp, rules, services
from .errors import AlreadyReported, CommentDeleted
from .forms import CommentForm, ReportForm, new_comment_form, reply_form

# Per address and per account: a shared address (a library, a school) is not one person.
POST_LIMIT = "10 per minute; 100 per day"

REFUSED = (
    proposal_errors.NotAllowed,
    proposal_errors.AccountBlocked,
    proposal_errors.EmailNotConfirmed,
)


def _account_key() -> str:
    return f"user:{current_user.id}" if current_user.is_authenticated else "anonymous"


def _limited(view):
    view = limiter.limit(POST_LIMIT, key_func=_account_key, methods=["POST"])(view)
    return limiter.limit(POST_LIMIT, methods=["POST"])(view)


@bp.app_template_global()
def proposal_url(proposal: Proposal, **kwargs) -> str:
    return url_for("proposals.show", slug=proposal.round.slug, number=proposal.number, **kwargs)


def _comment_url(comment: Comment) -> str:
    page = services.comment_page(comment)
    return proposal_url(
        comment.proposal,
        _anchor=f"comment-{comment.id}",
        **({"comments_page": page} if page > 1 else {}),
    )


def _status(problem, form) -> int:
    """200 for a page shown, 403 for a refused account, 400 for what the form must correct."""
    if request.method != "POST":
        return 200
    if isinstance(problem, REFUSED):
        return 403
    return 400 if problem or form.errors else 200


def _visible_proposal_or_404(proposal_id: int) -> Proposal:
    proposal = db.get_or_404(Proposal, proposal_id)
    if not can_view(proposal, current_user):
        abort(404)
    return proposal


def _visible_comment_or_404(comment_id: int) -> Comment:
    """A comment the viewer may see: moderators also see hidden ones, nobody deleted ones."""
    comment = services.get_comment_or_404(comment_id)
    hidden_from_viewer = comment.is_hidden and not rules.is_moderator(current_user)
    if comment.is_deleted or hidden_from_viewer or not can_view(comment.proposal, current_user):
        abort(404)
    return comment


@bp.app_context_processor
def comment_forms():
    return {"comment_form": new_comment_form, "reply_form": reply_form}


@bp.post("/proposals/<int:proposal_id>/comments")
@login_required
@_limited
def create(proposal_id: int):
    proposal = _visible_proposal_or_404(proposal_id)
    form = CommentForm()
    parent = db.session.get(Comment, form.parent_id.data) if form.parent_id.data else None
    # The comment answered may have been deleted meanwhile.
    problem = CommentDeleted() if form.parent_id.data and parent is None else None
    if problem is None and form.validate_on_submit():
        try:
            comment = services.add_comment(proposal, current_user, form.body.data, parent=parent)
        except proposal_errors.ParticipationError as error:
            problem = error
        else:
            db.session.commit()
            flash(_("Your comment is published."), "success")
            return redirect(_comment_url(comment))
    return render_template(
        "comments/form_page.html", proposal=proposal, form=form, parent=parent, problem=problem
    ), _status(problem, form)


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
@_limited
def edit(comment_id: int):
    comment = _visible_comment_or_404(comment_id)
    problem = rules.edit_problem(comment, current_user)
    if isinstance(problem, proposal_errors.NotAllowed):
        abort(403)
    form = CommentForm(obj=comment)
    if problem is None and form.validate_on_submit():
        try:
            services.edit_comment(comment, current_user, form.body.data)
        except proposal_errors.ParticipationError as error:
            problem = error
        else:
            db.session.commit()
            flash(_("Your comment is saved."), "success")
            return redirect(_comment_url(comment))
    return render_template(
        "comments/edit.html",
        comment=comment,
        proposal=comment.proposal,
        form=form,
        problem=problem,
        deadline=rules.edit_deadline(comment),
    ), _status(problem, form)


@bp.post("/comments/<int:comment_id>/delete")
@login_required
def delete(comment_id: int):
    comment = _visible_comment_or_404(comment_id)
    proposal = comment.proposal
    problem = rules.delete_problem(comment, current_user)
    if isinstance(problem, proposal_errors.NotAllowed):
        abort(403)
    if problem is not None:
        flash(str(problem), "error")
        return redirect(proposal_url(proposal, _anchor="comments"))
    services.delete_comment(comment, current_user)
    db.session.commit()
    flash(_("Your comment is deleted."), "info")
    return redirect(proposal_url(proposal, _anchor="comments"))


def _report_page(item: Comment | Proposal, proposal: Proposal, back_url: str):
    form = ReportForm()
    problem = rules.report_problem(item, current_user)
    if problem is None and request.method == "GET" and services.has_reported(item, current_user):
        problem = AlreadyReported()
    if problem is None and form.validate_on_submit():
        try:
            services.report(item, current_user, form.reason.data)
        except proposal_errors.ParticipationError as error:
            problem = error
        else:
            db.session.commit()
            flash(_("Thank you for your report: a moderator will look at it."), "success")
            return redirect(back_url)
    return render_template(
        "comments/report.html",
        item=item,
        is_comment=isinstance(item, Comment),
        proposal=proposal,
        form=form,
        problem=problem,
        back_url=back_url,
    ), _status(problem, form)


@bp.route("/proposals/<int:proposal_id>/report", methods=["GET", "POST"])
@login_required
@_limited
def report_proposal(proposal_id: int):
    proposal = _visible_proposal_or_404(proposal_id)
    return _report_page(proposal, proposal, proposal_url(proposal))


@bp.route("/comments/<int:comment_id>/report", methods=["GET", "POST"])
@login_required
@_limited
def report_comment(comment_id: int):
    comment = _visible_comment_or_404(comment_id)
    return _report_page(comment, comment.proposal, _comment_url(comment))
