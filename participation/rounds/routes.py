from flask import render_template

from ..deliberations.services import deliberations_by_pillar
from . import bp
from .services import get_round_or_404


@bp.get("/<slug>")
def show(slug: str):
    round_ = get_round_or_404(slug)
    groups = deliberations_by_pillar(round_id=round_.id)
    return render_template("rounds/show.html", round=round_, deliberation_groups=groups)
