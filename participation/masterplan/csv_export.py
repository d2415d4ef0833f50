"""The masterplan as CSV: every public action, the city's and its partners'.

UTF-8 with a byte-order mark and ';' separators: what French spreadsheet programs open with the
accents right and the columns split. Cells go through ``csv_cells`` (no live formula). Rows are
streamed: memory stays flat whatever the size.
"""

import csv
import io
from collections.abc import Iterator

from flask import Response, stream_with_context
from flask_babel import gettext as _

from ..csv_cells import row
from ..extensions import db
from ..models import CarrierKind, MasterplanStatus, utcnow
from . import services

BATCH = 500


def _line(values) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerow(row(values))
    return buffer.getvalue()


def _iso(day) -> str:
    return day.isoformat() if day else ""


def rows(filters: services.MasterplanFilters) -> Iterator[str]:
    yield "\ufeff" + _line(
        [
            _("Action"),
            _("Title"),
            _("Pillar"),
            _("Carried by"),
            _("Kind of carrier"),
            _("Status"),
            _("Status code"),
            _("Planned for"),
            _("Started on"),
            _("Done on"),
            _("Percentage done"),
            _("Framework deliberation"),
            _("Council date"),
            _("Last progress date"),
            _("Last progress"),
            _("Proposals"),
            _("Sample"),
        ]
    )
    query = services.masterplan_query(filters).execution_options(yield_per=BATCH)
    batch = []
    for action in db.session.scalars(query):
        batch.append(action)
        if len(batch) == BATCH:
            yield from _batch(batch)
            batch = []
    yield from _batch(batch)


def _batch(actions) -> Iterator[str]:
    notes = services.latest_notes([a.id for a in actions])
    codes = services.proposal_codes([a.deliberation_id for a in actions if a.deliberation_id])
    for a in actions:
        note = notes.get(a.id)
        deliberation = a.deliberation
        yield _line(
            [
                a.id,
                a.title,
                a.pillar.name,
                a.carrier.name,
                CarrierKind(a.carrier.kind).title,
                MasterplanStatus(a.status).title,
                MasterplanStatus(a.status).value,
                _iso(a.planned_on),
                _iso(a.started_on),
                _iso(a.done_on),
                "" if a.percent is None else a.percent,
                deliberation.reference if deliberation else "",
                _iso(deliberation.council_session.held_on) if deliberation else "",
                _iso(note.noted_on) if note else "",
                note.body if note else "",
                " ".join(codes.get(a.deliberation_id, [])),
                _("yes") if a.is_sample else "",
            ]
        )


def masterplan_csv_response(filters: services.MasterplanFilters, name: str) -> Response:
    return Response(
        stream_with_context(rows(filters)),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}-{utcnow():%Y-%m-%d}.csv"'},
    )
