from flask import current_app, render_template, request, url_for
from flask_babel import format_time
from flask_babel import gettext as _
from flask_login import current_user

from ..deliberations.services import deliberations_by_pillar
from ..extensions import db
from ..models import utcnow
from ..pillars.services import all_pillars
from ..policy import anyone
from ..templating import localdate
from ..text import render_markdown
from ..views import attempt, done, guard, page_arg
from . import bp, rules, services
from .forms import RoundForm


@bp.get("/")
@guard(anyone)
def index():
    page = db.paginate(
        services.all_rounds_query(),
        page=page_arg(),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    return render_template("rounds/index.html", page=page)


@bp.get("/<slug>")
@guard(anyone, load=services.get_round_or_404)
def show(round_):
    return render_template(
        "rounds/show.html",
        round=round_,
        description_html=render_markdown(round_.description),
        steps=services.calendar_steps(round_),
        pillar_counts=services.pillars_with_counts(round_),
        deliberation_groups=deliberations_by_pillar(round_id=round_.id),
        workshops_open=round_.accepts_workshops_at(utcnow()),
    )


@bp.route("/new", methods=["GET", "POST"])
@guard(rules.can_edit_rounds)
def new():
    form = RoundForm()
    form.set_pillars(all_pillars())
    if form.validate_on_submit():
        with attempt(form):
            round_ = services.create_round(current_user, form.to_input())
            return done(
                url_for("rounds.show", slug=round_.slug),
                _("The consultation round “%(title)s” is created.", title=round_.title),
            )
    return _form_page(form)


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@guard(rules.can_edit_rounds)
def edit(slug: str):
    round_ = services.get_round_or_404(slug)
    form = RoundForm(data=vars(services.round_input(round_)))
    form.set_pillars(all_pillars())
    if form.validate_on_submit():
        with attempt(form):
            services.update_round(current_user, round_, form.to_input())
            return done(
                url_for("rounds.show", slug=round_.slug),
                _("Your changes to “%(title)s” are saved.", title=round_.title),
            )
    return _form_page(form, round_)


def _form_page(form: RoundForm, round_=None):
    status = 400 if request.method == "POST" else 200
    return render_template("rounds/form.html", form=form, round=round_), status


@bp.app_template_filter("calendar_moment")
def calendar_moment(value, edge: str = "end") -> str:
    """A stored UTC time in Paris time; the date alone when the time only marks a day's edge.

    A start at 00:00 or an end at 23:59 is the whole day; other times are shown, so that an end
    at 00:00 on 1 May does not read as "until 1 May".
    """
    if value is None:
        return ""
    local = services.utc_to_paris(value)
    if (local.hour, local.minute) == ((0, 0) if edge == "start" else (23, 59)):
        return localdate(value, "long")
    return _(
        "%(date)s at %(time)s", date=localdate(value, "long"), time=format_time(value, "short")
    )
