from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from .. import audit
from ..comments.services import get_comment_or_404
from ..errors import Invalid
from ..extensions import db
from ..i18n import ngettext
from ..models import AnswerLanguage, AnswerTemplate, Comment, Proposal, ProposalStatus, User
from ..policy import can_moderate
from ..proposals import state
from ..proposals.services import trail
from ..text import strip_controls
from ..utils import safe_next_url
from ..views import MAX_INT, attempt, done, form_status, guard, int_arg, page_arg
from . import answers, bp, queues, reports, rules, services
from .forms import (
    AnswerTemplateForm,
    BulkForm,
    DecisionForm,
    MergeForm,
    OptionalReasonForm,
    ReasonForm,
    RefuseChangeForm,
)


def _filters() -> queues.QueueFilters:
    return queues.QueueFilters(
        round_id=int_arg("round", request.values), pillar_id=int_arg("pillar", request.values)
    )


def _back() -> str:
    return safe_next_url(request.form.get("back")) or url_for("moderation.home")


def _proposal(proposal_id: int) -> Proposal:
    return db.first_or_404(
        select(Proposal)
        .where(Proposal.id == proposal_id)
        .options(
            joinedload(Proposal.round),
            joinedload(Proposal.pillar),
            joinedload(Proposal.author),
            joinedload(Proposal.revision),
        )
    )


def _comment(comment_id: int) -> Comment:
    return get_comment_or_404(comment_id)


@bp.get("/")
@guard(can_moderate)
def home():
    filters = _filters()
    rounds, pillars = queues.filter_choices()
    return render_template(
        "moderation/home.html",
        filters=filters,
        rounds=rounds,
        pillars=pillars,
        to_publish=queues.awaiting_publication(filters),
        changes=queues.awaiting_changes(filters),
        reports=queues.open_reports(filters),
        to_decide=queues.awaiting_decision(filters),
        duplicates=queues.likely_duplicates(filters),
        bulk_form=BulkForm(),
    )


@bp.post("/bulk")
@guard(can_moderate)
def bulk():
    form = BulkForm()
    ids = [int(i) for i in request.form.getlist("proposal_ids") if i.isdigit() and len(i) < 10]
    if not form.validate_on_submit() or not ids:
        raise Invalid(_("Select at least one proposal and an action."))
    proposals = db.session.scalars(select(Proposal).where(Proposal.id.in_(ids))).all()
    services.act_on_all(proposals, current_user, form.action.data, form.reason.data)
    return done(
        _back(),
        ngettext("%(num)s proposal updated.", "%(num)s proposals updated.", len(proposals)),
    )


def _decisions(proposal: Proposal) -> list[ProposalStatus]:
    """The decisions the form offers (publication has its own button)."""
    allowed = state.allowed_targets(proposal, current_user)
    return [t for t in state.ANSWERS if t in allowed]


def _decision_form(proposal: Proposal, **kwargs) -> DecisionForm:
    form = DecisionForm(prefix="decision", **kwargs)
    form.set_targets(_decisions(proposal))
    form.set_answers(answers.answer_templates())
    return form


def _proposal_page(proposal: Proposal, status: int = 200, **forms):
    decision = forms.get("decision") or _decision_form(proposal, formdata=None)
    return render_template(
        "moderation/proposal.html",
        proposal=proposal,
        trail=trail(proposal, current_user, actors=True),
        reports=queues.reports_for(proposal),
        decision_form=decision,
        hide_form=forms.get("hide") or ReasonForm(prefix="hide", formdata=None),
        change_form=forms.get("change") or RefuseChangeForm(prefix="change", formdata=None),
        dismiss_form=OptionalReasonForm(formdata=None),
        problem=forms.get("problem"),
    ), status


def _to_proposal(proposal: Proposal, message: str):
    return done(url_for("moderation.proposal", proposal_id=proposal.id), message)


@bp.get("/proposals/<int:proposal_id>")
@guard(rules.can_open_item, load=_proposal)
def proposal(proposal):
    return _proposal_page(proposal)


@bp.post("/proposals/<int:proposal_id>/publish")
@guard(rules.can_moderate_item, load=_proposal)
def publish(proposal):
    services.publish(proposal, current_user)
    return _to_proposal(proposal, _("The proposal is published."))


@bp.post("/proposals/<int:proposal_id>/decide")
@guard(rules.can_decide, load=_proposal)
def decide(proposal):
    form = _decision_form(proposal)
    if "decision-use" in request.form:
        # Without JavaScript: the chosen template fills the answer, still to be edited and sent.
        template = answers.answer_template(int_arg("decision-answer", request.form))
        if template is not None:
            form.reason.data = template.body
        return _proposal_page(proposal, decision=form)
    tried = attempt(form)
    if form.validate_on_submit():
        with tried:
            target = ProposalStatus(form.target.data)
            services.decide(proposal, current_user, target, form.reason.data)
            return _to_proposal(proposal, _("The decision is recorded and shown publicly."))
    return _proposal_page(proposal, form_status(form, tried), decision=form, problem=tried.error)


@bp.post("/proposals/<int:proposal_id>/change/accept")
@guard(rules.can_moderate_item, load=_proposal)
def accept_change(proposal):
    services.accept_change(proposal, current_user)
    return _to_proposal(proposal, _("The change is accepted: the new text is public."))


@bp.post("/proposals/<int:proposal_id>/change/refuse")
@guard(rules.can_moderate_item, load=_proposal)
def refuse_change(proposal):
    form = RefuseChangeForm(prefix="change")
    tried = attempt(form)
    if form.validate_on_submit():
        with tried:
            services.refuse_change(proposal, current_user, form.reason.data)
            return _to_proposal(proposal, _("The change is refused; its author is told why."))
    return _proposal_page(proposal, form_status(form, tried), change=form, problem=tried.error)


def _hide_or_restore(item, proposal: Proposal, hide: bool):
    form = ReasonForm(prefix="hide")
    tried = attempt(form)
    if form.validate_on_submit():
        with tried:
            changed = (reports.hide if hide else reports.restore)(
                item, current_user, form.reason.data
            )
            if not changed:
                message = _("Nothing to change.")
            else:
                message = _("Hidden.") if hide else _("Shown again.")
            return _to_proposal(proposal, message)
    return _proposal_page(proposal, form_status(form, tried), hide=form, problem=tried.error)


@bp.post("/proposals/<int:proposal_id>/hide")
@guard(rules.can_moderate_item, load=_proposal)
def hide_proposal(proposal):
    return _hide_or_restore(proposal, proposal, hide=True)


@bp.post("/proposals/<int:proposal_id>/restore")
@guard(rules.can_moderate_item, load=_proposal)
def restore_proposal(proposal):
    return _hide_or_restore(proposal, proposal, hide=False)


@bp.post("/comments/<int:comment_id>/hide")
@guard(rules.can_moderate_item, load=_comment)
def hide_comment(comment):
    return _hide_or_restore(comment, _proposal(comment.proposal_id), hide=True)


@bp.post("/comments/<int:comment_id>/restore")
@guard(rules.can_moderate_item, load=_comment)
def restore_comment(comment):
    return _hide_or_restore(comment, _proposal(comment.proposal_id), hide=False)


def _reported_item(value: str) -> Proposal | Comment | None:
    """ "proposal:<id>" or "comment:<id>", as the report lists send them."""
    kind, _sep, ident = value.partition(":")
    if not ident.isdigit() or int(ident) > MAX_INT:
        return None
    model = {"comment": Comment, "proposal": Proposal}.get(kind)
    return db.session.get(model, int(ident)) if model else None


@bp.post("/reports/dismiss")
@guard(can_moderate)
def dismiss_reports():
    """Dismiss the reports of one item ("comment_id" or "proposal_id") or of several at once
    ("items": "proposal:<id>", "comment:<id>")."""
    form = OptionalReasonForm()
    values = request.form.getlist("items")
    if int_arg("comment_id", request.form):
        values.append(f"comment:{int_arg('comment_id', request.form)}")
    elif int_arg("proposal_id", request.form):
        values.append(f"proposal:{int_arg('proposal_id', request.form)}")
    items = [item for item in map(_reported_item, values) if item is not None]
    if not items or not form.validate_on_submit():
        raise Invalid(_("Select at least one reported item."))
    count = sum(reports.dismiss_reports(item, current_user, form.reason.data) for item in items)
    return done(_back(), ngettext("%(num)s report dismissed.", "%(num)s reports dismissed.", count))


# The older address of the several-items form, kept for pages already open.
bp.add_url_rule(
    "/reports/dismiss-selected",
    "dismiss_selected_reports",
    dismiss_reports,
    methods=["POST"],
)


@bp.route("/merge", methods=["GET", "POST"])
@guard(can_moderate)
def merge():
    ids = [int(i) for i in request.values.getlist("ids") if i.isdigit() and len(i) < 10]
    proposals = (
        db.session.scalars(
            select(Proposal).where(Proposal.id.in_(ids)).options(joinedload(Proposal.pillar))
        )
        .unique()
        .all()
    )
    if len(proposals) < 2:
        raise Invalid(_("Choose at least two proposals to merge."))
    form = MergeForm()
    form.kept.choices = [(p.id, f"{p.code} — {p.title}") for p in proposals]
    tried = attempt(form)
    if form.validate_on_submit():
        kept = next(p for p in proposals if p.id == form.kept.data)
        with tried:
            duplicates = [p for p in proposals if p is not kept]
            services.merge(kept, duplicates, current_user, form.note.data)
            return _to_proposal(
                kept, _("Merged. The supports now count once for the kept proposal.")
            )
    return render_template("moderation/merge.html", form=form, proposals=proposals), form_status(
        form, tried
    )


def _answer_template(answer_id: int) -> AnswerTemplate:
    return db.get_or_404(AnswerTemplate, answer_id)


def _answers_page(form: AnswerTemplateForm, status: int = 200):
    return render_template(
        "moderation/answers.html", form=form, templates=answers.answer_templates()
    ), status


@bp.route("/answers", methods=["GET", "POST"])
@guard(rules.can_manage_answers)
def answer_templates():
    form = AnswerTemplateForm()
    tried = attempt(form)
    if form.validate_on_submit():
        with tried:
            answers.create_answer_template(
                current_user, form.title.data, form.body.data, AnswerLanguage(form.language.data)
            )
            return done(url_for("moderation.answer_templates"), _("The template is saved."))
    return _answers_page(form, form_status(form, tried))


@bp.route("/answers/<int:answer_id>", methods=["GET", "POST"])
@guard(rules.can_manage_answers, load=_answer_template)
def edit_answer_template(template):
    form = AnswerTemplateForm(obj=template)
    tried = attempt(form)
    if form.validate_on_submit():
        with tried:
            answers.update_answer_template(
                template,
                current_user,
                form.title.data,
                form.body.data,
                AnswerLanguage(form.language.data),
            )
            return done(url_for("moderation.answer_templates"), _("The template is saved."))
    return render_template(
        "moderation/answer_form.html", form=form, template=template
    ), form_status(form, tried)


@bp.post("/answers/<int:answer_id>/delete")
@guard(rules.can_manage_answers, load=_answer_template)
def delete_answer_template(template):
    answers.delete_answer_template(template, current_user)
    return done(url_for("moderation.answer_templates"), _("The template is deleted."))


def _account(user_id: int) -> User:
    return db.get_or_404(User, user_id)


@bp.get("/users")
@guard(can_moderate)
def users():
    from ..admin.services import users_query

    search = request.args.get("q", "")[:100]
    page = (
        db.paginate(users_query(search), page=page_arg(), per_page=20, error_out=False)
        if search
        else None
    )
    return render_template(
        "moderation/users.html", page=page, search=search, form=ReasonForm(formdata=None)
    )


@bp.post("/users/<int:user_id>/block")
@guard(rules.can_block, load=_account)
def block(user):
    form = ReasonForm()
    if not form.validate_on_submit():
        raise Invalid(_("Give the reason for blocking this account."))
    services.block(user, current_user, form.reason.data)
    return done(
        safe_next_url(request.form.get("back")) or url_for("moderation.users"),
        _("%(name)s is blocked: they can read but not post.", name=user.display_name),
    )


@bp.post("/users/<int:user_id>/unblock")
@guard(rules.can_block, load=_account)
def unblock(user):
    # No form class: the optional note comes as sent, less what no text may hold.
    services.unblock(user, current_user, strip_controls(request.form.get("reason", "")) or None)
    return done(
        safe_next_url(request.form.get("back")) or url_for("moderation.users"),
        _("%(name)s can post again.", name=user.display_name),
    )


@bp.get("/audit")
@guard(rules.can_read_audit)
def audit_log():
    action = request.args.get("action", "")[:60]
    actor_id, account_id = int_arg("actor"), int_arg("account")
    security = request.args.get("security") == "1"
    page = db.paginate(
        audit.entries_query(action, actor_id, security=security, account_id=account_id),
        page=page_arg(),
        per_page=50,
        error_out=False,
    )
    return render_template(
        "moderation/audit.html",
        page=page,
        action=action,
        security=security,
        actions=audit.logged_actions(),
        actor=db.session.get(User, actor_id) if actor_id else None,
        account=db.session.get(User, account_id) if account_id else None,
        accounts=audit.accounts_named(page.items),
        audit=audit,
    )
