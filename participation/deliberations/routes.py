from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from ..masterplan.csv_export import masterplan_csv_response
from ..masterplan.services import MasterplanFilters
from ..models import Round
from ..pillars.services import all_pillars
from ..policy import anyone
from ..views import attempt, done, form_status, guard, int_arg
from . import bp, promotion, rules, services
from .forms import CouncilSessionForm, PromoteForm


def _deliberation(deliberation_id: int):
    return services.get_deliberation_or_404(deliberation_id)


# --- public pages --------------------------------------------------------------------------


@bp.get("/")
@guard(anyone)
def index():
    pillars = all_pillars()
    selected = request.args.get("pillar")
    pillar = next((p for p in pillars if p.slug == selected), None)
    if selected and pillar is None:
        abort(404)
    sessions = services.deliberations_by_session(pillar_id=pillar.id if pillar else None)
    total = sum(len(items) for _session, groups in sessions for _pillar, items in groups)
    return render_template(
        "deliberations/index.html",
        sessions=sessions,
        pillars=pillars,
        selected=pillar,
        total=total,
    )


@bp.get("/<int:deliberation_id>")
@guard(anyone, load=_deliberation)
def show(deliberation):
    return render_template("deliberations/show.html", deliberation=deliberation)


@bp.get("/masterplan")
@guard(anyone)
def masterplan():
    # The masterplan has its own pages now; links given out before still lead there.
    return redirect(url_for("masterplan.index", **request.args), 301)


@bp.get("/masterplan.csv")
@guard(anyone)
def masterplan_csv():
    return redirect(url_for("masterplan.csv", **request.args), 301)


@bp.get("/deliberations.csv")
@guard(anyone)
def deliberations_csv():
    """The actions that went through the council, with their deliberation's number and date."""
    return masterplan_csv_response(MasterplanFilters(council_only=True), "deliberations-cadres")


@bp.record_once
def _list_csv_beside_the_prefix(state) -> None:
    # The list's download is /deliberations.csv, beside the list (/deliberations/) rather than
    # under it; /deliberations/deliberations.csv stays for the links already given out.
    state.app.add_url_rule("/deliberations.csv", "deliberations.list_csv", deliberations_csv)


# --- moderators ----------------------------------------------------------------------------


def _rounds() -> list[Round]:
    return list(db.session.scalars(select(Round).order_by(Round.collect_starts_at.desc())))


@bp.route("/sessions/new", methods=["GET", "POST"])
@guard(rules.can_manage)
def new_session():
    form = CouncilSessionForm()
    form.set_rounds(_rounds())
    tried = attempt(form)
    if form.validate_on_submit():
        with tried:
            session = promotion.create_council_session(
                current_user, form.held_on.data, form.title.data, form.round_id.data
            )
            return done(
                url_for("deliberations.promote", session=session.id),
                _("The council session is recorded."),
            )
    return render_template("deliberations/session_form.html", form=form), form_status(form, tried)


@bp.route("/promote", methods=["GET", "POST"])
@guard(rules.can_manage)
def promote():
    round_id, pillar_id = int_arg("round"), int_arg("pillar")
    candidates = services.retained_proposals(round_id, pillar_id)
    sessions, pillars = services.council_sessions(), all_pillars()
    form = PromoteForm()
    form.set_choices(candidates, sessions, pillars)
    if not form.is_submitted():
        _prefill(form, sessions, pillar_id, candidates)
    tried = attempt(form)
    if form.validate_on_submit():
        chosen = [p for p in candidates if p.id in form.proposal_ids.data]
        with tried:
            deliberation = promotion.promote(chosen, current_user, _deliberation_input(form))
            return done(
                url_for("deliberations.show", deliberation_id=deliberation.id),
                _("Framework deliberation no. %(number)d is recorded.", number=deliberation.number),
            )
    return render_template(
        "deliberations/promote.html",
        form=form,
        has_sessions=bool(sessions),
        rounds=_rounds(),
        pillars=pillars,
        round_id=round_id,
        pillar_id=pillar_id,
        problem=tried.error,
    ), form_status(form, tried)


def _prefill(form: PromoteForm, sessions, pillar_id: int | None, candidates) -> None:
    """The session asked for (or the latest), its next free number; the proposal asked for
    (from its moderation page) ticked; the pillar filtered on, or else that proposal's, or else
    the candidates' when they all share one."""
    session_id = int_arg("session") or (sessions[0].id if sessions else None)
    form.council_session_id.data = session_id
    asked = next((p for p in candidates if p.id == int_arg("proposal")), None)
    if asked is not None:
        form.proposal_ids.data = [asked.id]
        pillar_id = pillar_id or asked.pillar_id
    elif pillar_id is None and len({p.pillar_id for p in candidates}) == 1:
        pillar_id = candidates[0].pillar_id
    form.pillar_id.data = pillar_id
    if session_id is not None:
        form.number.data = promotion.next_deliberation_number(session_id)


def _deliberation_input(form: PromoteForm) -> promotion.DeliberationInput:
    return promotion.DeliberationInput(
        council_session_id=form.council_session_id.data,
        number=form.number.data,
        pillar_id=form.pillar_id.data,
        title=form.title.data,
        body=form.body.data or "",
    )
