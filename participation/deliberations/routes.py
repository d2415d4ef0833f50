from flask import Response, abort, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from ..models import MasterplanStatus, Round, utcnow
from ..paris_time import utc_to_paris
from ..pillars.services import all_pillars
from ..policy import anyone, is_moderator
from ..views import attempt, done, form_status, guard, int_arg, page_arg
from . import bp, csv_export, promotion, rules, services, tracking
from .forms import CouncilSessionForm, NoteForm, PromoteForm, TrackingForm

MASTERPLAN_PAGE_SIZE = 100


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


def _moderator_forms(deliberation, **forms) -> dict:
    forms.setdefault(
        "tracking_form",
        TrackingForm(
            formdata=None, status=deliberation.masterplan_status, carrier=deliberation.carrier
        ),
    )
    forms.setdefault("note_form", NoteForm(formdata=None, noted_on=utc_to_paris(utcnow()).date()))
    return forms


@bp.get("/<int:deliberation_id>")
@guard(anyone, load=_deliberation)
def show(deliberation):
    forms = _moderator_forms(deliberation) if is_moderator(current_user) else {}
    return render_template("deliberations/show.html", deliberation=deliberation, **forms)


def _masterplan_filters() -> services.MasterplanFilters:
    return services.MasterplanFilters(
        pillar_id=int_arg("pillar"),
        status=request.args.get("status") or None,
        carrier=request.args.get("carrier") or None,
        council_session_id=int_arg("session"),
    )


@bp.get("/masterplan")
@guard(anyone)
def masterplan():
    filters = _masterplan_filters()
    page = db.paginate(
        services.masterplan_query(filters),
        page=page_arg(),
        per_page=MASTERPLAN_PAGE_SIZE,
        max_per_page=MASTERPLAN_PAGE_SIZE,
        error_out=False,
    )
    return render_template(
        "deliberations/masterplan.html",
        page=page,
        filters=filters,
        counts=services.status_counts(filters),
        carriers=services.carriers(),
        pillars=all_pillars(),
        notes=services.latest_notes([d.id for d in page.items]),
        statuses=list(MasterplanStatus),
    )


def _csv(filename: str) -> Response:
    return Response(
        stream_with_context(csv_export.rows(_masterplan_filters())),
        mimetype="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}-{utcnow():%Y-%m-%d}.csv"'
        },
    )


@bp.get("/deliberations.csv")
@guard(anyone)
def deliberations_csv():
    return _csv("deliberations-cadres")


@bp.get("/masterplan.csv")
@guard(anyone)
def masterplan_csv():
    return _csv("plan-d-actions")


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
        carrier=form.carrier.data or "",
    )


@bp.route("/<int:deliberation_id>/tracking", methods=["GET", "POST"])
@guard(rules.can_manage)
def update_tracking(deliberation_id: int):
    deliberation = _deliberation(deliberation_id)
    form = TrackingForm(status=deliberation.masterplan_status, carrier=deliberation.carrier)
    if form.validate_on_submit():
        tracking.update_tracking(
            deliberation, current_user, MasterplanStatus(form.status.data), form.carrier.data
        )
        return done(
            url_for("deliberations.show", deliberation_id=deliberation.id),
            _("The tracking is updated."),
        )
    return render_template(
        "deliberations/tracking.html", deliberation=deliberation, form=form
    ), form_status(form)


@bp.post("/<int:deliberation_id>/notes")
@guard(rules.can_manage)
def add_note(deliberation_id: int):
    deliberation = _deliberation(deliberation_id)
    form = NoteForm()
    if not form.validate_on_submit():
        forms = _moderator_forms(deliberation, note_form=form)
        return render_template("deliberations/show.html", deliberation=deliberation, **forms), 400
    status = MasterplanStatus(form.status.data) if form.status.data else None
    tracking.add_progress_note(
        deliberation, current_user, form.noted_on.data, form.body.data, status
    )
    return done(
        url_for("deliberations.show", deliberation_id=deliberation.id, _anchor="progress-title"),
        _("The progress note is published."),
    )
