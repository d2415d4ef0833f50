from flask import abort, render_template, request

from ..pillars.services import all_pillars
from . import bp
from .services import deliberations_by_pillar


@bp.get("/")
def index():
    pillars = all_pillars()
    selected = request.args.get("pillar")
    pillar = next((p for p in pillars if p.slug == selected), None)
    if selected and pillar is None:
        abort(404)
    groups = deliberations_by_pillar(pillar_id=pillar.id if pillar else None)
    total = sum(len(items) for _, items in groups)
    return render_template(
        "deliberations/index.html", groups=groups, pillars=pillars, selected=pillar, total=total
    )
