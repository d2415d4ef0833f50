from flask import current_app, render_template, request
from flask_login import current_user

from ..extensions import db
from ..models import Round
from ..policy import anyone
from ..proposals import supports
from ..views import guard, page_arg
from . import bp, french
from .services import (
    excerpt,
    highlighted,
    proposals_page,
    search_deliberations,
)


@bp.get("/")
@guard(anyone)
def index():
    text = request.args.get("q", "")[:200]
    wanted = french.parse(text)
    rounds = list(db.session.scalars(db.select(Round).order_by(Round.id.desc())))
    round_ = next((r for r in rounds if r.slug == request.args.get("round")), None)
    proposals = deliberations = None
    if wanted:
        proposals = proposals_page(wanted, round_, page_arg(), current_app.config["PAGE_SIZE"])
        deliberations = search_deliberations(wanted) if page_arg() == 1 else []
    return render_template(
        "search/index.html",
        text=text,
        wanted=wanted,
        rounds=rounds,
        round=round_,
        proposals=proposals,
        deliberations=deliberations,
        excerpt=lambda item: excerpt(item, wanted),
        highlighted=lambda text: highlighted(text, wanted),
        supported=supports.supported_ids(
            current_user, [p.id for p in proposals.items] if proposals else []
        ),
    )
