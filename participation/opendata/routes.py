from flask import Response, redirect, render_template, stream_with_context, url_for

from ..extensions import db
from ..models import utcnow
from ..policy import anyone
from ..rounds.services import all_rounds_query, get_round_or_404
from ..views import guard
from . import bp, charts, export, services


@bp.get("/rounds/<slug>/open-data")
@guard(anyone, load=get_round_or_404)
def open_data(round_):
    return render_template(
        "opendata/open_data.html",
        round=round_,
        files=export.FILES + (export.DICTIONARY,),
        licence=export.LICENCE,
        licence_url=export.LICENCE_URL,
    )


@bp.get("/rounds/<slug>/open-data.zip")
@guard(anyone, load=get_round_or_404)
def download(round_):
    filename = f"{round_.slug}-open-data-{utcnow():%Y-%m-%d}.zip"
    return Response(
        stream_with_context(export.zip_chunks(round_)),
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/rounds/<slug>/statistics")
@guard(anyone, load=get_round_or_404)
def statistics(round_):
    figures = services.round_statistics(round_)
    weeks = services.weekly_activity(round_)
    return render_template(
        "opendata/statistics.html",
        round=round_,
        statistics=figures,
        refresh_minutes=services.refresh_minutes(),
        charts=charts.statistics_charts(figures, weeks),
    )


@bp.get("/statistics")
@guard(anyone)
def latest_statistics():
    """The main menu's "Statistics": those of the newest consultation (each links the others)."""
    round_ = db.session.scalar(all_rounds_query().limit(1))
    if round_ is None:
        return redirect(url_for("rounds.index"))
    return redirect(url_for("opendata.statistics", slug=round_.slug))
