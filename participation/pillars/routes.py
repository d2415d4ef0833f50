from flask import render_template

from ..deliberations.services import deliberations_for_pillar
from . import bp
from .services import all_pillars, get_pillar_or_404


@bp.get("/")
def index():
    return render_template("pillars/index.html", pillars=all_pillars())


@bp.get("/<slug>")
def show(slug: str):
    pillar = get_pillar_or_404(slug)
    return render_template(
        "pillars/show.html", pillar=pillar, deliberations=deliberations_for_pillar(pillar.id)
    )
