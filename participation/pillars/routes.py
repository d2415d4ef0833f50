from flask import render_template
from flask_login import current_user

from ..deliberations.services import deliberations_for_pillar
from ..policy import anyone
from ..proposals.services import pillar_page
from ..proposals.supports import supported_ids
from ..views import guard, page_arg
from . import bp
from .services import all_pillars, get_pillar_or_404


@bp.get("/")
@guard(anyone)
def index():
    return render_template("pillars/index.html", pillars=all_pillars())


@bp.get("/<slug>")
@guard(anyone, load=get_pillar_or_404)
def show(pillar):
    proposals = pillar_page(pillar, page_arg(), per_page=10)
    return render_template(
        "pillars/show.html",
        pillar=pillar,
        deliberations=deliberations_for_pillar(pillar.id),
        proposals=proposals,
        supported=supported_ids(current_user, [p.id for p in proposals.items]),
    )
