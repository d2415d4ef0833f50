from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import db
from ..models import CarrierKind, MasterplanStatus, utcnow
from ..paris_time import utc_to_paris
from ..pillars.services import all_pillars
from ..policy import anyone
from ..views import attempt, done, form_status, guard, int_arg, page_arg
from . import bp, carriers, rules, services, tracking
from .csv_export import masterplan_csv_response
from .forms import ActionForm, CarrierForm, InviteForm, NoteForm, ReviewForm, TrackingForm

# A page a phone can scroll through; the printable version and the CSV hold every action.
PAGE_SIZE = 50


def _action(action_id: int):
    return services.get_action_or_404(action_id)


def _carrier(carrier_slug: str):
    return services.get_carrier_or_404(carrier_slug)


def _filters() -> services.MasterplanFilters:
    return services.MasterplanFilters(
        pillar_id=int_arg("pillar"),
        status=request.args.get("status") or None,
        kind=request.args.get("kind") or None,
        carrier_id=int_arg("carrier"),
    )


# --- public pages --------------------------------------------------------------------------


@bp.get("/")
@guard(anyone)
def index():
    filters = _filters()
    page = db.paginate(
        services.masterplan_query(filters),
        page=page_arg(),
        per_page=PAGE_SIZE,
        max_per_page=PAGE_SIZE,
        error_out=False,
    )
    return render_template(
        "masterplan/index.html",
        page=page,
        filters=filters,
        counts=services.status_counts(filters),
        by_pillar=services.pillar_counts(filters),
        carriers=services.carriers(),
        pillars=all_pillars(),
        notes=services.latest_notes([a.id for a in page.items]),
        statuses=list(MasterplanStatus),
        kinds=list(CarrierKind),
        updated=services.last_updated(),
        # The carriers a partner speaks for, to reach their pages (signed-in people only).
        mine=carriers.carriers_of(current_user) if current_user.is_authenticated else [],
    )


@bp.get("/masterplan.csv")
@guard(anyone)
def csv():
    return masterplan_csv_response(_filters(), "plan-d-actions")


@bp.get("/print")
@guard(anyone)
def printable():
    filters = _filters()
    actions = list(db.session.scalars(services.masterplan_query(filters)).unique())
    return render_template(
        "masterplan/print.html",
        actions=actions,
        filters=filters,
        counts=services.status_counts(filters),
        notes=services.latest_notes([a.id for a in actions]),
        updated=services.last_updated(),
    )


@bp.get("/actions/<int:action_id>")
@guard(rules.can_view, load=_action)
def show(action):
    return render_template("masterplan/show.html", action=action, **_forms(action))


def _forms(action, **forms) -> dict:
    if rules.can_track(current_user, action):
        tracking_form = forms.get("tracking_form") or TrackingForm(formdata=None, obj=action)
        tracking_form.set_carriers(services.carriers())
        forms["tracking_form"] = tracking_form
    if rules.can_note(current_user, action):
        forms.setdefault(
            "note_form", NoteForm(formdata=None, noted_on=utc_to_paris(utcnow()).date())
        )
    return forms


@bp.post("/actions/<int:action_id>/tracking")
@guard(rules.can_track, load=_action)
def update_tracking(action):
    form = TrackingForm()
    form.set_carriers(services.carriers())
    tried = attempt(form)
    if form.validate_on_submit():
        with tried:
            tracking.update_tracking(
                action,
                current_user,
                tracking.TrackingInput(
                    status=form.status.data,
                    carrier_id=form.carrier_id.data,
                    planned_on=form.planned_on.data,
                    started_on=form.started_on.data,
                    done_on=form.done_on.data,
                    percent=form.percent.data,
                ),
            )
            return done(
                url_for("masterplan.show", action_id=action.id), _("The tracking is updated.")
            )
    return render_template(
        "masterplan/show.html", action=action, **_forms(action, tracking_form=form)
    ), form_status(form, tried)


@bp.post("/actions/<int:action_id>/notes")
@guard(rules.can_note, load=_action)
def add_note(action):
    form = NoteForm()
    tried = attempt(form)
    if form.validate_on_submit():
        with tried:
            tracking.add_progress_note(action, current_user, form.noted_on.data, form.body.data)
            return done(
                url_for("masterplan.show", action_id=action.id, _anchor="trail-title"),
                _("The progress note is published."),
            )
    return render_template(
        "masterplan/show.html", action=action, **_forms(action, note_form=form)
    ), form_status(form, tried)


@bp.route("/actions/<int:action_id>/review", methods=["GET", "POST"])
@guard(rules.can_review, load=_action)
def review(action):
    form = ReviewForm()
    tried = attempt(form)
    if form.validate_on_submit():
        with tried:
            tracking.review_action(action, current_user, form.answer.data, form.reason.data)
            return done(url_for("masterplan.show", action_id=action.id), _("The answer is saved."))
    return render_template("masterplan/review.html", action=action, form=form), form_status(
        form, tried
    )


@bp.route("/actions/<int:action_id>/edit", methods=["GET", "POST"])
@guard(rules.can_revise, load=_action)
def revise(action):
    form = ActionForm(obj=action)
    form.set_pillars(all_pillars())
    tried = attempt(form)
    if form.validate_on_submit():
        with tried:
            tracking.revise_action(action, current_user, _action_input(form))
            return done(
                url_for("masterplan.show", action_id=action.id),
                _("The action is sent to the city again."),
            )
    return render_template(
        "masterplan/action_form.html", form=form, carrier=action.carrier, action=action
    ), form_status(form, tried)


@bp.get("/waiting")
@guard(rules.can_manage)
def waiting():
    return render_template("masterplan/waiting.html", actions=services.waiting_actions())


# --- carriers ------------------------------------------------------------------------------


@bp.get("/carriers/")
@guard(anyone)
def carrier_directory():
    return render_template(
        "masterplan/carriers.html", directory=services.carrier_directory(), kinds=list(CarrierKind)
    )


@bp.get("/carriers/<carrier_slug>")
@guard(anyone, load=_carrier)
def carrier(carrier):
    return render_template(
        "masterplan/carrier.html",
        carrier=carrier,
        actions=services.carrier_actions(carrier),
        own=services.own_actions(carrier) if rules.can_add_action(current_user, carrier) else [],
        invite_form=InviteForm(formdata=None) if rules.can_manage(current_user) else None,
    )


@bp.route("/carriers/new", methods=["GET", "POST"])
@guard(rules.can_manage)
def new_carrier():
    form = CarrierForm()
    tried = attempt(form)
    if form.validate_on_submit():
        with tried:
            created = carriers.create_carrier(current_user, _carrier_input(form))
            return done(
                url_for("masterplan.carrier", carrier_slug=created.slug), _("The carrier is added.")
            )
    return render_template("masterplan/carrier_form.html", form=form, carrier=None), form_status(
        form, tried
    )


@bp.route("/carriers/<carrier_slug>/edit", methods=["GET", "POST"])
@guard(rules.can_manage, load=_carrier)
def edit_carrier(carrier):
    form = CarrierForm(obj=carrier)
    tried = attempt(form)
    if form.validate_on_submit():
        with tried:
            carriers.update_carrier(carrier, current_user, _carrier_input(form))
            return done(
                url_for("masterplan.carrier", carrier_slug=carrier.slug), _("The carrier is saved.")
            )
    return render_template("masterplan/carrier_form.html", form=form, carrier=carrier), form_status(
        form, tried
    )


def _carrier_input(form: CarrierForm) -> carriers.CarrierInput:
    return carriers.CarrierInput(
        name=form.name.data,
        kind=form.kind.data,
        description=form.description.data or "",
        website=form.website.data or "",
    )


@bp.route("/carriers/<carrier_slug>/actions/new", methods=["GET", "POST"])
@guard(rules.can_add_action, load=_carrier)
def new_action(carrier):
    form = ActionForm()
    form.set_pillars(all_pillars())
    tried = attempt(form)
    if form.validate_on_submit():
        with tried:
            if rules.can_manage(current_user):
                action = tracking.create_action(carrier, current_user, _action_input(form))
                message = _("The action is in the masterplan.")
            else:
                action = tracking.propose_action(carrier, current_user, _action_input(form))
                message = _("The action is sent to the city, which will answer.")
            return done(url_for("masterplan.show", action_id=action.id), message)
    return render_template(
        "masterplan/action_form.html", form=form, carrier=carrier, action=None
    ), form_status(form, tried)


def _action_input(form: ActionForm) -> tracking.ActionInput:
    return tracking.ActionInput(
        title=form.title.data,
        description=form.description.data or "",
        pillar_id=form.pillar_id.data,
        planned_on=form.planned_on.data,
    )


@bp.post("/carriers/<carrier_slug>/partners")
@guard(rules.can_manage, load=_carrier)
def invite_partner(carrier):
    form = InviteForm()
    if form.validate_on_submit():
        carriers.invite_partner(carrier, current_user, form.email.data)
        return done(
            url_for("masterplan.carrier", carrier_slug=carrier.slug),
            _("The invitation is sent."),
        )
    return render_template(
        "masterplan/carrier.html",
        carrier=carrier,
        actions=services.carrier_actions(carrier),
        own=services.own_actions(carrier),
        invite_form=form,
    ), 400


def _invitation(token: str):
    invitation = carriers.read_invitation(token)
    if invitation is None:
        abort(404)
    return invitation


@bp.route("/join/<token>", methods=["GET", "POST"])
@guard(rules.can_join, load=_invitation)
def join(invitation):
    if request.method == "POST":
        carriers.join(invitation, current_user)
        return done(
            url_for("masterplan.carrier", carrier_slug=invitation.carrier.slug),
            _("You now speak for %(name)s.", name=invitation.carrier.name),
        )
    return render_template("masterplan/join.html", invitation=invitation)
