"""Workshops: the public list and page, planning, the printable kit, and typing in paper.

The entry screens for cards and sticker votes check their CSRF token themselves and keep what
was typed across an expired session (see ``drafts``).
"""

from flask import (
    Response,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..accounts.services import neighbourhood_choices
from ..extensions import csrf, db, limiter
from ..models import Proposal, Role, WorkshopState
from ..permissions import role_required
from ..proposals.errors import ParticipationError
from ..templating import current_locale
from . import bp, drafts, errors, paper, rules, services, spreadsheet
from .forms import (
    LINES,
    LINES_MAX,
    AttendanceForm,
    CardCorrectionForm,
    CardForm,
    ImportForm,
    StateForm,
    StickerSheetForm,
    WorkshopForm,
)

facilitator_required = role_required(Role.FACILITATOR)
# Facilitators type fast; the limit only stops a runaway script.
ENTRY_LIMIT = "120 per minute"


def _account_key() -> str:
    return f"user:{current_user.get_id()}" if current_user.is_authenticated else "anonymous"


def _managed(workshop_id: int):
    workshop = services.get_workshop_or_404(workshop_id)
    if not rules.can_manage_workshop(current_user, workshop):
        abort(403)
    return workshop


def _page_arg(name: str) -> int:
    return max(request.args.get(name, 1, type=int), 1)


# --- public pages ----------------------------------------------------------------------------


@bp.get("/rounds/<slug>/workshops/")
def index(slug: str):
    round_ = services.get_round_or_404(slug)
    past = db.paginate(
        services.past_workshops_query(round_),
        page=_page_arg("page"),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    return render_template(
        "workshops/index.html",
        round=round_,
        coming=services.coming_workshops(round_),
        past=past,
        can_plan=rules.can_plan_workshops(current_user),
    )


@bp.get("/workshops/<int:workshop_id>")
def show(workshop_id: int):
    workshop = services.get_workshop_or_404(workshop_id)
    per_page = current_app.config["PAGE_SIZE"]
    return render_template(
        "workshops/show.html",
        workshop=workshop,
        outcome=services.outcome(workshop),
        cards=db.paginate(
            services.paper_proposals_query(workshop),
            page=_page_arg("page"),
            per_page=per_page,
            error_out=False,
        ),
        stickers=db.paginate(
            services.paper_supports_query(workshop),
            page=_page_arg("votes_page"),
            per_page=per_page,
            error_out=False,
        ),
        can_manage=rules.can_manage_workshop(current_user, workshop),
        state_targets=rules.state_targets(workshop, current_user),
        entry_problem=rules.entry_problem(workshop, current_user),
        state_form=StateForm(),
    )


# --- planning --------------------------------------------------------------------------------


@bp.get("/workshops/")
@facilitator_required
def mine():
    page = db.paginate(
        services.managed_workshops_query(current_user),
        page=_page_arg("page"),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    return render_template("workshops/mine.html", page=page)


@bp.route("/workshops/new", methods=["GET", "POST"])
@facilitator_required
def new():
    round_ = services.get_round_or_404(request.args.get("round", ""))
    form = WorkshopForm()
    form.set_choices(round_.pillars, services.facilitator_choices())
    if request.method == "GET" and not current_user.has_role(Role.MODERATOR):
        form.facilitator_ids.data = [current_user.id]
    if form.validate_on_submit():
        try:
            workshop = services.create_workshop(current_user, round_, form.to_input())
        except errors.WorkshopInvalid as error:
            form.add_problems(error.problems)
        else:
            db.session.commit()
            flash(_("The workshop “%(title)s” is planned.", title=workshop.title), "success")
            return redirect(url_for("workshops.show", workshop_id=workshop.id))
    return _form_page(form, round_)


@bp.route("/workshops/<int:workshop_id>/edit", methods=["GET", "POST"])
@facilitator_required
def edit(workshop_id: int):
    workshop = _managed(workshop_id)
    form = WorkshopForm(data=vars(services.workshop_input(workshop)))
    form.set_choices(workshop.round.pillars, services.facilitator_choices())
    if form.validate_on_submit():
        try:
            services.update_workshop(current_user, workshop, form.to_input())
        except errors.WorkshopInvalid as error:
            form.add_problems(error.problems)
        else:
            db.session.commit()
            flash(_("Your changes to “%(title)s” are saved.", title=workshop.title), "success")
            return redirect(url_for("workshops.show", workshop_id=workshop.id))
    return _form_page(form, workshop.round, workshop)


def _form_page(form, round_, workshop=None):
    status = 400 if request.method == "POST" else 200
    return render_template(
        "workshops/form.html", form=form, round=round_, workshop=workshop
    ), status


@bp.post("/workshops/<int:workshop_id>/state")
@facilitator_required
def change_state(workshop_id: int):
    workshop = _managed(workshop_id)
    target = request.form.get("state", "")
    if not StateForm().validate_on_submit() or target not in set(WorkshopState):
        abort(400)
    try:
        services.change_state(workshop, current_user, WorkshopState(target))
    except errors.WorkshopError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("The workshop is now: %(state)s.", state=workshop.state_enum.title), "success")
    return redirect(url_for("workshops.show", workshop_id=workshop.id))


@bp.get("/workshops/<int:workshop_id>/kit")
@facilitator_required
def kit(workshop_id: int):
    workshop = _managed(workshop_id)
    cards = min(max(request.args.get("cards", 10, type=int), 2), 60)
    return render_template(
        "workshops/kit.html",
        workshop=workshop,
        proposals=services.sheet_proposals(workshop),
        cards=cards + cards % 2,
    )


# --- typing in what came back on paper --------------------------------------------------------


def _typing_gate(workshop, endpoint: str):
    """Signed out: keep what was typed and send to sign-in. Not running the workshop: 403."""
    path = url_for(endpoint, workshop_id=workshop.id)
    if current_user.is_authenticated:
        if not rules.can_manage_workshop(current_user, workshop):
            abort(403)
        return None
    response = redirect(url_for("accounts.sign_in", next=path))
    posted = request.method == "POST" and drafts.same_origin()
    if posted and drafts.keep(response, request.form, path):
        flash(_("Your session has ended. Sign in again: what you typed is kept."), "info")
    else:
        flash(_("Please sign in to continue."), "info")
    return response


def _typing_problem(workshop, form):
    """Why what was sent cannot be saved now: the workshop's state, or a refused CSRF token
    (the form then shows what was typed, to be sent again)."""
    problem = rules.entry_problem(workshop, current_user)
    if problem is None and form.is_submitted() and drafts.csrf_problem():
        return errors.FormExpired()
    return problem


def _draft(endpoint: str, workshop):
    """What was typed before signing in again, on the first visit after (else None)."""
    if request.method != "GET":
        return None
    return drafts.read(url_for(endpoint, workshop_id=workshop.id))


def _respond(endpoint: str, workshop, body, status: int | None = None):
    """``body`` as the response, dropping the draft kept for the page (it is shown now)."""
    response = make_response(body) if status is None else make_response(body, status)
    drafts.forget(response, url_for(endpoint, workshop_id=workshop.id))
    return response


@bp.route("/workshops/<int:workshop_id>/entry", methods=["GET", "POST"])
@csrf.exempt  # checked in the view, so that a refused token keeps the card (see drafts)
@limiter.limit(ENTRY_LIMIT, key_func=_account_key, methods=["POST"])
def entry(workshop_id: int):
    workshop = services.get_workshop_or_404(workshop_id)
    gate = _typing_gate(workshop, "workshops.entry")
    if gate is not None:
        return gate
    restored = _draft("workshops.entry", workshop)
    form = CardForm(formdata=restored) if restored else CardForm(pillar_id=_last_pillar(workshop))
    form.set_choices(workshop.round.pillars, neighbourhood_choices())
    problem, outcome = _typing_problem(workshop, form), paper.CardOutcome()
    if problem is None and form.is_submitted() and form.validate():
        try:
            outcome = paper.enter_card(workshop, current_user, form.to_card(), *_choice(form))
        except errors.PaperInvalid as error:
            form.add_problems({column: message for _row, column, message in error.problems})
        except ParticipationError as error:
            problem = error
        else:
            if not outcome.similar:
                db.session.commit()
                _remember_card(workshop, form, outcome)
                return _respond("workshops.entry", workshop, redirect(request.path))
            form.similar_checked.data = "1"
    body = render_template(
        "workshops/entry.html",
        workshop=workshop,
        form=form,
        problem=problem,
        similar=outcome.similar,
        restored=bool(restored),
        saved=session.pop(f"workshop-{workshop.id}-saved", None),
        recent=paper.recent_items(workshop),
        paper=paper,
    )
    failed = form.is_submitted() and (problem is not None or bool(form.errors))
    return _respond("workshops.entry", workshop, body, 400 if failed else 200)


def _choice(form) -> tuple[paper.Choice, int | None]:
    """What the pressed button asks: "new", or "comment-<id>" / "support-<id>" of a match."""
    kind, _sep, target = request.form.get("action", "new").partition("-")
    if kind in (paper.Choice.COMMENT, paper.Choice.SUPPORT) and target.isdigit():
        return paper.Choice(kind), int(target)
    if form.similar_checked.data == "1":
        return paper.Choice.NEW, None
    return paper.Choice.CHECK, None


def _last_pillar(workshop) -> int | None:
    """Cards come in piles by table: the next card is likely of the same pillar."""
    last = session.get(f"workshop-{workshop.id}-pillar")
    if last is None and len(workshop.pillars) == 1:
        last = workshop.pillars[0].id
    return last


def _remember_card(workshop, form, outcome) -> None:
    proposal = outcome.proposal
    session[f"workshop-{workshop.id}-pillar"] = form.pillar_id.data
    session[f"workshop-{workshop.id}-saved"] = {
        "kind": "comment" if outcome.comment else "support" if outcome.stickers else "proposal",
        "code": proposal.code,
        "title": proposal.title,
        "stickers": outcome.stickers,
        "published": proposal.is_visible,
    }


@bp.route("/workshops/<int:workshop_id>/votes", methods=["GET", "POST"])
@csrf.exempt  # checked in the view, so that a refused token keeps the counts (see drafts)
@limiter.limit(ENTRY_LIMIT, key_func=_account_key, methods=["POST"])
def votes(workshop_id: int):
    workshop = services.get_workshop_or_404(workshop_id)
    gate = _typing_gate(workshop, "workshops.votes")
    if gate is not None:
        return gate
    restored = _draft("workshops.votes", workshop)
    form = StickerSheetForm(formdata=restored) if restored else StickerSheetForm()
    problem, problems = _typing_problem(workshop, form), []
    if problem is None and form.is_submitted() and "more" in request.form:
        for _more in range(min(LINES, LINES_MAX - len(form.lines.entries))):
            form.lines.append_entry()
    elif problem is None and form.is_submitted():
        try:
            saved = paper.set_sticker_sheet(workshop, current_user, form.to_lines())
        except errors.PaperInvalid as error:
            problems = error.problems
        except ParticipationError as error:
            problem = error
        else:
            db.session.commit()
            flash(_sticker_message(saved), "success")
            session[f"workshop-{workshop.id}-votes-saved"] = True
            return _respond("workshops.votes", workshop, redirect(request.path))
    body = render_template(
        "workshops/votes.html",
        workshop=workshop,
        form=form,
        problem=problem,
        problems=problems,
        restored=bool(restored),
        saved=session.pop(f"workshop-{workshop.id}-votes-saved", False),
        tallies=paper.workshop_tallies(workshop),
    )
    failed = form.is_submitted() and (problem is not None or bool(problems))
    return _respond("workshops.votes", workshop, body, 400 if failed else 200)


def _sticker_message(saved) -> str:
    if not saved:
        return _("No line was filled in: nothing changed.")
    return ngettext(
        "Sticker votes saved for %(num)d proposal: %(codes)s.",
        "Sticker votes saved for %(num)d proposals: %(codes)s.",
        len(saved),
        codes=", ".join(f"{proposal.code} ({count})" for proposal, count in saved),
    )


@bp.route("/workshops/<int:workshop_id>/attendance", methods=["GET", "POST"])
@facilitator_required
def attendance(workshop_id: int):
    workshop = _managed(workshop_id)
    form = AttendanceForm(attendance=workshop.attendance)
    problem = rules.entry_problem(workshop, current_user)
    if problem is None and form.validate_on_submit():
        try:
            paper.set_attendance(workshop, current_user, form.attendance.data)
        except ParticipationError as error:
            problem = error
        else:
            db.session.commit()
            flash(_("Attendance saved: %(num)d participants.", num=workshop.attendance), "success")
            return redirect(url_for("workshops.show", workshop_id=workshop.id))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "workshops/attendance.html", workshop=workshop, form=form, problem=problem
    ), status


@bp.route("/workshops/<int:workshop_id>/import", methods=["GET", "POST"])
@facilitator_required
@limiter.limit("20 per minute", key_func=_account_key, methods=["POST"])
def import_cards(workshop_id: int):
    workshop = _managed(workshop_id)
    form = ImportForm()
    problem, problems = rules.entry_problem(workshop, current_user), []
    if problem is None and form.validate_on_submit():
        try:
            sheet = spreadsheet.read_sheet(form.spreadsheet.data.read(spreadsheet.MAX_BYTES + 1))
            proposals = paper.import_cards(workshop, current_user, sheet)
        except spreadsheet.SheetUnreadable as error:
            problems = [(None, None, str(error))]
        except errors.PaperInvalid as error:
            problems = error.problems
        except ParticipationError as error:
            problem = error
        else:
            db.session.commit()
            flash(_import_message(proposals), "success")
            return redirect(url_for("workshops.entry", workshop_id=workshop.id))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "workshops/import.html", workshop=workshop, form=form, problem=problem, problems=problems
    ), status


def _import_message(proposals) -> str:
    return ngettext(
        "%(num)d card imported: %(first)s to %(last)s.",
        "%(num)d cards imported: %(first)s to %(last)s.",
        len(proposals),
        first=proposals[0].code,
        last=proposals[-1].code,
    )


@bp.get("/workshops/import-template.csv")
@facilitator_required
def import_template():
    language = current_locale()
    return Response(
        spreadsheet.template_csv(language),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{_("cards-template")}-{language}.csv"'
        },
    )


@bp.route("/workshops/<int:workshop_id>/cards/<int:number>/edit", methods=["GET", "POST"])
@facilitator_required
def correct_card(workshop_id: int, number: int):
    workshop = _managed(workshop_id)
    proposal = db.first_or_404(
        select(Proposal)
        .where(Proposal.workshop_id == workshop.id, Proposal.number == number)
        .options(joinedload(Proposal.pillar))
    )
    form = CardCorrectionForm(obj=proposal)
    form.set_choices(workshop.round.pillars, neighbourhood_choices())
    problem = rules.entry_problem(workshop, current_user)
    if problem is None and form.validate_on_submit():
        try:
            paper.correct_paper_proposal(workshop, current_user, proposal, form.to_card())
        except errors.PaperInvalid as error:
            form.add_problems({column: message for _row, column, message in error.problems})
        except ParticipationError as error:
            problem = error
        else:
            db.session.commit()
            flash(_("The card %(code)s is corrected.", code=proposal.code), "success")
            return redirect(url_for("workshops.entry", workshop_id=workshop.id))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "workshops/correct_card.html",
        workshop=workshop,
        proposal=proposal,
        form=form,
        problem=problem,
    ), status


@bp.get("/workshops/<int:workshop_id>/history")
@role_required(Role.MODERATOR)
def history_page(workshop_id: int):
    workshop = services.get_workshop_or_404(workshop_id)
    page = db.paginate(
        services.corrections_query(workshop),
        page=_page_arg("page"),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    return render_template(
        "workshops/history.html",
        workshop=workshop,
        page=page,
        typists=services.typists(workshop),
        items=services.corrected_items(page.items),
    )


@bp.app_template_filter("workshop_when")
def workshop_when(workshop) -> str:
    """ "Saturday 10 October 2026, 14:00–17:00" in Paris time (both dates when it spans days)."""
    return services.when(workshop)
