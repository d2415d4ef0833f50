from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from ..extensions import db
from ..models import MasterplanStatus, Proposal, Role, Round, utcnow
from ..moderation import services as moderation
from ..permissions import role_required
from ..pillars.services import all_pillars
from ..proposals import errors
from . import bp, csv_export, services, tracking
from .forms import CouncilSessionForm, NoteForm, PromoteForm, TrackingForm

moderator_required = role_required(Role.MODERATOR)


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


@bp.get("/")
def index():
    pillars = all_pillars()
    selected = request.args.get("pillar")
    pillar = next((p for p in pillars if p.slug == selected), None)
    if selected and pillar is None:
        abort(404)
    groups = services.deliberations_by_pillar(pillar_id=pillar.id if pillar else None)
    total = sum(len(items) for _, items in groups)
    return render_template(
        "deliberations/index.html", groups=groups, pillars=pillars, selected=pillar, total=total
    )


@bp.get("/<int:deliberation_id>")
def show(deliberation_id: int):
    deliberation = services.get_deliberation_or_404(deliberation_id)
    forms = {}
    if moderation.is_moderator(current_user):
        forms = {
            "tracking_form": TrackingForm(
                formdata=None, status=deliberation.masterplan_status, carrier=deliberation.carrier
            ),
            "note_form": NoteForm(formdata=None, noted_on=utcnow().date()),
        }
    return render_template("deliberations/show.html", deliberation=deliberation, **forms)


def _masterplan_filters() -> services.MasterplanFilters:
    return services.MasterplanFilters(
        pillar_id=_int_arg("pillar"),
        status=request.args.get("status") or None,
        carrier=request.args.get("carrier") or None,
        council_session_id=_int_arg("session"),
    )


@bp.get("/masterplan")
def masterplan():
    filters = _masterplan_filters()
    page = db.paginate(
        services.masterplan_query(filters), per_page=50, error_out=False, max_per_page=50
    )
    ids = [d.id for d in page.items]
    return render_template(
        "deliberations/masterplan.html",
        page=page,
        filters=filters,
        counts=services.status_counts(filters),
        carriers=services.carriers(),
        pillars=all_pillars(),
        notes=services.latest_notes(ids),
        statuses=list(MasterplanStatus),
    )


def _csv(filename: str) -> Response:
    filters = _masterplan_filters()
    return Response(
        stream_with_context(csv_export.rows(filters)),
        mimetype="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}-{utcnow():%Y-%m-%d}.csv"'
        },
    )


@bp.get("/deliberations.csv")
def deliberations_csv():
    return _csv("deliberations-cadres")


@bp.get("/masterplan.csv")
def masterplan_csv():
    return _csv("plan-d-actions")


# --- moderators ----------------------------------------------------------------------------


def _rounds():
    return list(db.session.scalars(select(Round).order_by(Round.collect_starts_at.desc())))


@bp.route("/sessions/new", methods=["GET", "POST"])
@moderator_required
def new_session():
    form = CouncilSessionForm()
    form.round_id.choices = [SelectChoice("", _("None"))] + [
        SelectChoice(r.id, r.title) for r in _rounds()
    ]
    if form.validate_on_submit():
        try:
            moderation.create_council_session(
                current_user, form.held_on.data, form.title.data, form.round_id.data
            )
        except errors.ParticipationError as error:
            db.session.rollback()
            form.title.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("The council session is recorded."), "success")
            return redirect(url_for("deliberations.promote"))
    status = 400 if form.errors else 200
    return render_template("deliberations/session_form.html", form=form), status


@bp.route("/promote", methods=["GET", "POST"])
@moderator_required
def promote():
    candidates = services.retained_proposals(_int_arg("round"), _int_arg("pillar"))
    sessions = services.council_sessions()
    form = PromoteForm()
    form.council_session_id.choices = [SelectChoice("", _("Choose"))] + [
        SelectChoice(s.id, f"{s.title} — {s.held_on.isoformat()}") for s in sessions
    ]
    form.pillar_id.choices = [SelectChoice("", _("Choose"))] + [
        SelectChoice(p.id, p.name) for p in all_pillars()
    ]
    if request.method == "GET" and sessions and not form.number.data:
        form.council_session_id.data = sessions[0].id
        form.number.data = moderation.next_deliberation_number(sessions[0].id)
    chosen = {int(i) for i in request.form.getlist("proposal_ids") if i.isdigit()}
    if form.validate_on_submit():
        proposals = db.session.scalars(select(Proposal).where(Proposal.id.in_(chosen))).all()
        data = moderation.DeliberationInput(
            form.council_session_id.data,
            form.number.data,
            form.pillar_id.data,
            form.title.data,
            form.body.data or "",
            form.carrier.data or "",
        )
        try:
            deliberation = moderation.promote(proposals, current_user, data)
        except errors.ParticipationError as error:
            db.session.rollback()
            target = form.number if isinstance(error, moderation.NumberTaken) else form.title
            target.errors.append(str(error))
        else:
            db.session.commit()
            flash(
                _("Framework deliberation no. %(number)d is recorded.", number=deliberation.number),
                "success",
            )
            return redirect(url_for("deliberations.show", deliberation_id=deliberation.id))
    status = 400 if form.errors else 200
    return render_template(
        "deliberations/promote.html",
        form=form,
        candidates=candidates,
        chosen=chosen,
        sessions=sessions,
        rounds=_rounds(),
        pillars=all_pillars(),
        round_id=_int_arg("round"),
        pillar_id=_int_arg("pillar"),
    ), status


def _detail_with_errors(deliberation, **forms):
    forms.setdefault(
        "tracking_form",
        TrackingForm(
            formdata=None, status=deliberation.masterplan_status, carrier=deliberation.carrier
        ),
    )
    forms.setdefault("note_form", NoteForm(formdata=None, noted_on=utcnow().date()))
    return render_template("deliberations/show.html", deliberation=deliberation, **forms), 400


@bp.post("/<int:deliberation_id>/tracking")
@moderator_required
def update_tracking(deliberation_id: int):
    deliberation = services.get_deliberation_or_404(deliberation_id)
    form = TrackingForm()
    if not form.validate_on_submit():
        return _detail_with_errors(deliberation, tracking_form=form)
    tracking.update_tracking(
        deliberation, current_user, MasterplanStatus(form.status.data), form.carrier.data
    )
    db.session.commit()
    flash(_("The tracking is updated."), "success")
    return redirect(url_for("deliberations.show", deliberation_id=deliberation.id))


@bp.post("/<int:deliberation_id>/notes")
@moderator_required
def add_note(deliberation_id: int):
    deliberation = services.get_deliberation_or_404(deliberation_id)
    form = NoteForm()
    if not form.validate_on_submit():
        return _detail_with_errors(deliberation, note_form=form)
    status = MasterplanStatus(form.status.data) if form.status.data else None
    tracking.add_progress_note(
        deliberation, current_user, form.noted_on.data, form.body.data, status
    )
    db.session.commit()
    flash(_("The progress note is published."), "success")
    return redirect(url_for("deliberations.show", deliberation_id=deliberation.id))
