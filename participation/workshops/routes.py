"""Workshops: the public list and page, planning, the printable kit, and typing in paper.

The entry screens for cards and sticker votes check their CSRF token themselves and keep what
was typed across an expired session (see ``drafts``).
"""

from flask import (
    Response,
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
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..accounts.services import neighbourhood_choices
from ..errors import Invalid
from ..extensions import csrf, db, limiter
from ..i18n import ngettext
from ..models import Proposal, WorkshopState
from ..policy import anyone, is_moderator
from ..rounds.services import home_rounds
from ..templating import current_locale
from ..views import attempt, done, form_status, guard, page_arg
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

# Facilitators type fast; the limit only stops a runaway script.
ENTRY_LIMIT = "120 per minute"


def _account_key() -> str:
    return f"user:{current_user.id}" if current_user.is_authenticated else "anonymous"


def _workshop(workshop_id: int):
    return services.get_workshop_or_404(workshop_id)


def _round(slug: str):
    return services.get_round_or_404(slug)


# --- public pages ----------------------------------------------------------------------------


@bp.get("/rounds/<slug>/workshops/")
@guard(anyone, load=_round)
def index(round_):
    past = db.paginate(
        services.past_workshops_query(round_),
        page=page_arg("page"),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    return render_template(
        "workshops/index.html",
        round=round_,
        coming=services.coming_workshops(round_),
        past=past,
        can_plan=rules.can_plan(current_user, round_),
    )


@bp.get("/workshops/<int:workshop_id>")
@guard(anyone, load=_workshop)
def show(workshop):
    per_page = current_app.config["PAGE_SIZE"]
    return render_template(
        "workshops/show.html",
        workshop=workshop,
        outcome=services.outcome(workshop),
        cards=db.paginate(
            services.paper_proposals_query(workshop),
            page=page_arg("page"),
            per_page=per_page,
            error_out=False,
        ),
        stickers=db.paginate(
            services.paper_supports_query(workshop),
            page=page_arg("votes_page"),
            per_page=per_page,
            error_out=False,
        ),
        can_manage=rules.can_manage(current_user, workshop),
        state_targets=rules.state_targets(workshop, current_user),
        can_enter=rules.can_enter(current_user, workshop),
        state_form=StateForm(),
    )


# --- planning --------------------------------------------------------------------------------


@bp.get("/workshops/")
@guard(rules.can_facilitate)
def mine():
    page = db.paginate(
        services.managed_workshops_query(current_user),
        page=page_arg("page"),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    # With no workshop yet, the consultations where one can be planned, to start from.
    rounds = [] if page.items else home_rounds()[0]
    return render_template("workshops/mine.html", page=page, rounds=rounds)


@bp.route("/rounds/<slug>/workshops/new", methods=["GET", "POST"])
@guard(rules.can_plan, load=_round)
def new(round_):
    form = WorkshopForm()
    form.set_choices(round_.pillars, services.facilitator_choices())
    if request.method == "GET" and not is_moderator(current_user):
        form.facilitator_ids.data = [current_user.id]
    if form.validate_on_submit():
        with attempt(form):
            workshop = services.create_workshop(current_user, round_, form.to_input())
            return done(
                url_for("workshops.show", workshop_id=workshop.id),
                _("The workshop “%(title)s” is planned.", title=workshop.title),
            )
    return _form_page(form, round_)


@bp.route("/workshops/<int:workshop_id>/edit", methods=["GET", "POST"])
@guard(rules.can_manage, load=_workshop)
def edit(workshop):
    form = WorkshopForm(data=vars(services.workshop_input(workshop)))
    form.set_choices(workshop.round.pillars, services.facilitator_choices())
    if form.validate_on_submit():
        with attempt(form):
            services.update_workshop(current_user, workshop, form.to_input())
            return done(
                url_for("workshops.show", workshop_id=workshop.id),
                _("Your changes to “%(title)s” are saved.", title=workshop.title),
            )
    return _form_page(form, workshop.round, workshop)


def _form_page(form, round_, workshop=None):
    status = 400 if request.method == "POST" else 200
    return render_template(
        "workshops/form.html", form=form, round=round_, workshop=workshop
    ), status


@bp.post("/workshops/<int:workshop_id>/state")
@guard(rules.can_change_state, load=_workshop)
def change_state(workshop):
    target = request.form.get("state", "")
    if not StateForm().validate_on_submit() or target not in set(WorkshopState):
        raise Invalid()
    services.change_state(workshop, current_user, WorkshopState(target))
    return done(
        url_for("workshops.show", workshop_id=workshop.id),
        _("The workshop is now: %(state)s.", state=workshop.state.title),
    )


@bp.get("/workshops/<int:workshop_id>/kit")
@guard(rules.can_manage, load=_workshop)
def kit(workshop):
    cards = min(max(request.args.get("cards", 10, type=int), 2), 60)
    return render_template(
        "workshops/kit.html",
        workshop=workshop,
        proposals=services.sheet_proposals(workshop),
        cards=cards + cards % 2,
    )


# --- typing in what came back on paper --------------------------------------------------------


def _signed_out(endpoint: str):
    """For a typing screen: a facilitator whose session ended keeps what they typed (it waits
    in a cookie) and comes back to it after signing in."""

    def answer(workshop):
        return _keep_draft(workshop, endpoint)

    return answer


def _keep_draft(workshop, endpoint: str):
    path = url_for(endpoint, workshop_id=workshop.id)
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
    problem = rules.can_enter(current_user, workshop).reason
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
@guard(rules.can_manage, load=_workshop, signed_out=_signed_out("workshops.entry"))
@limiter.limit(ENTRY_LIMIT, key_func=_account_key, methods=["POST"])
def entry(workshop):
    restored = _draft("workshops.entry", workshop)
    form = CardForm(formdata=restored) if restored else CardForm(pillar_id=_last_pillar(workshop))
    form.set_choices(workshop.round.pillars, neighbourhood_choices())
    problem, outcome = _typing_problem(workshop, form), paper.CardOutcome()
    tried = attempt(form)
    if problem is None and form.is_submitted() and form.validate():
        with tried:
            outcome = paper.enter_card(workshop, current_user, form.to_card(), *_choice(form))
            if not outcome.similar:
                db.session.commit()
                _remember_card(workshop, form, outcome)
                return _respond("workshops.entry", workshop, redirect(request.path))
            form.similar_checked.data = "1"
    problem = problem or tried.error
    body = render_template(
        "workshops/entry.html",
        workshop=workshop,
        form=form,
        problem=problem,
        similar=outcome.similar,
        restored=bool(restored),
        saved=session.pop(f"workshop-{workshop.id}-saved", None),
        recent=paper.recent_items(workshop),
        # What a "+1" for one of the similar proposals would be checked against.
        counted=paper.sticker_total(workshop) if outcome.similar else None,
    )
    return _respond("workshops.entry", workshop, body, _typing_status(form, problem, form.errors))


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
@guard(rules.can_manage, load=_workshop, signed_out=_signed_out("workshops.votes"))
@limiter.limit(ENTRY_LIMIT, key_func=_account_key, methods=["POST"])
def votes(workshop):
    restored = _draft("workshops.votes", workshop)
    if restored:
        form = StickerSheetForm(formdata=restored)
    elif request.method == "POST":
        form = StickerSheetForm()
    else:
        form = StickerSheetForm.prefilled(
            services.sheet_proposals(workshop), paper.sheet_counts(workshop)
        )
    problem, problems = _typing_problem(workshop, form), []
    if problem is None and form.is_submitted() and "more" in request.form:
        for _more in range(min(LINES, LINES_MAX - len(form.lines.entries))):
            form.lines.append_entry()
    elif problem is None and form.is_submitted():
        # The sheet's problems are listed by line: the template shows them, not the form.
        with attempt() as tried:
            saved = paper.set_sticker_sheet(workshop, current_user, form.to_lines())
            db.session.commit()
            flash(_sticker_message(saved), "success")
            session[f"workshop-{workshop.id}-votes-saved"] = True
            return _respond("workshops.votes", workshop, redirect(request.path))
        problems = getattr(tried.error, "problems", [])
        problem = None if problems else tried.error
    body = render_template(
        "workshops/votes.html",
        workshop=workshop,
        form=form,
        problem=problem,
        problems=problems,
        restored=bool(restored),
        saved=session.pop(f"workshop-{workshop.id}-votes-saved", False),
        tallies=paper.workshop_tallies(workshop),
        sticker_total=paper.sticker_total(workshop),
    )
    return _respond("workshops.votes", workshop, body, _typing_status(form, problem, problems))


def _typing_status(form, problem, mistakes) -> int:
    """What a typing screen answers: the refusal's status, 400 for mistakes in what was typed."""
    if not form.is_submitted():
        return 200
    if problem is not None:
        return problem.status
    return 400 if mistakes else 200


def _sticker_message(saved) -> str:
    if not saved:
        return _("No line was filled in: nothing changed.")
    return ngettext(
        "Sticker votes saved for %(num)s proposal: %(codes)s.",
        "Sticker votes saved for %(num)s proposals: %(codes)s.",
        len(saved),
        codes=", ".join(f"{proposal.code} ({count})" for proposal, count in saved),
    )


@bp.route("/workshops/<int:workshop_id>/attendance", methods=["GET", "POST"])
@guard(rules.can_manage, load=_workshop)
def attendance(workshop):
    form = AttendanceForm(attendance=workshop.attendance)
    tried = attempt(form)
    problem = rules.can_enter(current_user, workshop).reason
    if problem is None and form.validate_on_submit():
        with tried:
            paper.set_attendance(workshop, current_user, form.attendance.data)
            return done(
                url_for("workshops.show", workshop_id=workshop.id),
                _("Attendance saved: %(num)d participants.", num=workshop.attendance),
            )
    problem = problem or tried.error
    return render_template(
        "workshops/attendance.html",
        workshop=workshop,
        form=form,
        problem=problem,
        counted=paper.sticker_total(workshop),
    ), form_status(form, problem=problem)


@bp.route("/workshops/<int:workshop_id>/import", methods=["GET", "POST"])
@guard(rules.can_manage, load=_workshop)
@limiter.limit("20 per minute", key_func=_account_key, methods=["POST"])
def import_cards(workshop):
    form = ImportForm()
    problem, problems = rules.can_enter(current_user, workshop).reason, []
    if problem is None and form.validate_on_submit():
        # The file's problems are listed by row and column: the template shows them.
        with attempt() as tried:
            sheet = spreadsheet.read_sheet(form.spreadsheet.data.read(spreadsheet.MAX_BYTES + 1))
            proposals = paper.import_cards(workshop, current_user, sheet)
            return done(
                url_for("workshops.entry", workshop_id=workshop.id), _import_message(proposals)
            )
        problems = getattr(tried.error, "problems", [])
        problem = None if problems else tried.error
    return render_template(
        "workshops/import.html", workshop=workshop, form=form, problem=problem, problems=problems
    ), 400 if problems else form_status(form, problem=problem)


def _import_message(proposals) -> str:
    return ngettext(
        "%(num)s card imported: %(first)s to %(last)s.",
        "%(num)s cards imported: %(first)s to %(last)s.",
        len(proposals),
        first=proposals[0].code,
        last=proposals[-1].code,
    )


@bp.get("/workshops/import-template.csv")
@guard(rules.can_facilitate)
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
@guard(rules.can_manage, load=_workshop)
def correct_card(workshop, number: int):
    proposal = db.first_or_404(
        select(Proposal)
        .where(Proposal.workshop_id == workshop.id, Proposal.number == number)
        .options(joinedload(Proposal.pillar))
    )
    form = CardCorrectionForm(obj=proposal)
    form.set_choices(workshop.round.pillars, neighbourhood_choices())
    problem, tried = rules.can_enter(current_user, workshop).reason, attempt(form)
    if problem is None and form.validate_on_submit():
        with tried:
            paper.correct_paper_proposal(workshop, current_user, proposal, form.to_card())
            return done(
                url_for("workshops.entry", workshop_id=workshop.id),
                _("The card %(code)s is corrected.", code=proposal.code),
            )
    problem = problem or tried.error
    return render_template(
        "workshops/correct_card.html",
        workshop=workshop,
        proposal=proposal,
        form=form,
        problem=problem,
    ), form_status(form, problem=problem)


@bp.get("/workshops/<int:workshop_id>/history")
@guard(rules.can_see_history, load=_workshop)
def history_page(workshop):
    page = db.paginate(
        services.corrections_query(workshop),
        page=page_arg("page"),
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
