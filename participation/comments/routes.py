from flask import current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import db, limiter
from ..models import Comment, Proposal
from ..moderation import reports
from ..moderation.errors import AlreadyReported
from ..moderation.rules import can_report
from ..proposals.rules import can_view
from ..views import attempt, done, form_status, guard
from . import bp, rules, services
from .errors import CommentDeleted
from .forms import CommentForm, ReportForm, new_comment_form, reply_form

# Per address and per account: a shared address (a library, a school) is not one person.
POST_LIMIT = "10 per minute; 100 per day"


def _account_key() -> str:
    return f"user:{current_user.id}" if current_user.is_authenticated else "anonymous"


def _reports_per_day() -> str:
    return f"{current_app.config['REPORTS_PER_DAY']} per day"


def _report_limited(view):
    """Reports per account and per day; only those sent count (a refused one is not)."""
    return limiter.limit(
        _reports_per_day,
        key_func=_account_key,
        methods=["POST"],
        deduct_when=lambda response: response.status_code in (302, 303),
    )(_limited(view))


def _limited(view):
    view = limiter.limit(POST_LIMIT, key_func=_account_key, methods=["POST"])(view)
    return limiter.limit(POST_LIMIT, methods=["POST"])(view)


@bp.app_template_global()
def proposal_url(proposal: Proposal, **kwargs) -> str:
    """The public page of a proposal: the one place templates and routes build that link."""
    return url_for("proposals.show", slug=proposal.round.slug, number=proposal.number, **kwargs)


def _comment_url(comment: Comment) -> str:
    page = services.comment_page(comment)
    return proposal_url(
        comment.proposal,
        _anchor=f"comment-{comment.id}",
        **({"comments_page": page} if page > 1 else {}),
    )


def _proposal(proposal_id: int) -> Proposal:
    return db.get_or_404(Proposal, proposal_id)


def _comment(comment_id: int) -> Comment:
    return services.get_comment_or_404(comment_id)


@bp.app_context_processor
def comment_forms():
    return {"comment_form": new_comment_form, "reply_form": reply_form}


@bp.post("/proposals/<int:proposal_id>/comments")
@guard(can_view, load=_proposal)
@_limited
def create(proposal):
    form = CommentForm()
    parent = db.session.get(Comment, form.parent_id.data) if form.parent_id.data else None
    # The comment answered may have been deleted meanwhile.
    problem = CommentDeleted() if form.parent_id.data and parent is None else None
    tried = attempt(form)
    if problem is None and form.validate_on_submit():
        with tried:
            comment = services.add_comment(proposal, current_user, form.body.data, parent=parent)
            return done(_comment_url(comment), _("Your comment is published."))
    problem = problem or tried.error
    return render_template(
        "comments/form_page.html", proposal=proposal, form=form, parent=parent, problem=problem
    ), form_status(form, problem=problem)


@bp.get("/comments/<int:comment_id>/reply")
@guard(rules.can_reply, load=_comment)
def reply(comment):
    """The reply form on a page of its own: where a comment's "Reply" leads without JavaScript
    (with it, reply.js opens the form under the comment)."""
    return render_template(
        "comments/form_page.html",
        proposal=comment.proposal,
        form=reply_form(comment),
        parent=comment,
        problem=None,
    )


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@guard(rules.can_open_edit, load=_comment)
@_limited
def edit(comment):
    form = CommentForm(obj=comment)
    tried = attempt(form)
    if form.validate_on_submit():
        with tried:
            services.edit_comment(comment, current_user, form.body.data)
            return done(_comment_url(comment), _("Your comment is saved."))
    problem = tried.error or rules.can_edit(current_user, comment).reason
    return render_template(
        "comments/edit.html",
        comment=comment,
        proposal=comment.proposal,
        form=form,
        problem=problem,
        deadline=rules.edit_deadline(comment),
    ), form_status(form, problem=tried.error)


@bp.post("/comments/<int:comment_id>/delete")
@guard(rules.can_delete, load=_comment)
def delete(comment):
    proposal = comment.proposal
    services.delete_comment(comment, current_user)
    return done(proposal_url(proposal, _anchor="comments"), _("Your comment is deleted."), "info")


def _report_page(item: Comment | Proposal, proposal: Proposal, back_url: str):
    form = ReportForm()
    problem = None
    if request.method == "GET" and reports.has_reported(item, current_user):
        problem = AlreadyReported()
    tried = attempt(form)
    if problem is None and form.validate_on_submit():
        with tried:
            reports.report(item, current_user, form.reason.data)
            return done(back_url, _("Thank you for your report: a moderator will look at it."))
    problem = problem or tried.error
    return render_template(
        "comments/report.html",
        item=item,
        is_comment=isinstance(item, Comment),
        proposal=proposal,
        form=form,
        problem=problem,
        back_url=back_url,
    ), form_status(form, problem=problem)


@bp.route("/proposals/<int:proposal_id>/report", methods=["GET", "POST"])
@guard(can_report, load=_proposal)
@_report_limited
def report_proposal(proposal):
    return _report_page(proposal, proposal, proposal_url(proposal))


@bp.route("/comments/<int:comment_id>/report", methods=["GET", "POST"])
@guard(can_report, load=_comment)
@_report_limited
def report_comment(comment):
    return _report_page(comment, comment.proposal, _comment_url(comment))
