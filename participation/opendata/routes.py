from flask import Response, render_template, stream_with_context
from flask_babel import gettext as _

from ..models import utcnow
from ..rounds.services import get_round_or_404
from . import bp, charts, export, services


@bp.get("/rounds/<slug>/open-data")
def open_data(slug: str):
    round_ = get_round_or_404(slug)
    return render_template(
        "opendata/open_data.html",
        round=round_,
        files=export.FILES + (export.DICTIONARY,),
        licence=export.LICENCE,
        licence_url=export.LICENCE_URL,
    )


@bp.get("/rounds/<slug>/open-data.zip")
def download(slug: str):
    round_ = get_round_or_404(slug)
    filename = f"{round_.slug}-open-data-{utcnow():%Y-%m-%d}.zip"
    return Response(
        stream_with_context(export.zip_chunks(round_)),
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/rounds/<slug>/statistics")
def statistics(slug: str):
    round_ = get_round_or_404(slug)
    figures = services.round_statistics(
        round_, no_neighbourhood_label=_("No neighbourhood given"), total_label=_("Total")
    )
    return render_template(
        "opendata/statistics.html",
        round=round_,
        statistics=figures,
        charts=charts.statistics_charts(figures),
    )
