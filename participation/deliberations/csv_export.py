"""CSV downloads of the framework deliberations and the masterplan.

UTF-8 with a byte-order mark and ';' separators: what French spreadsheet programs open with the
accents right and the columns split. Rows are streamed: memory stays flat whatever the size.
"""

import csv
import io
from collections.abc import Iterator

from flask_babel import gettext as _

from ..csv_cells import row
from ..extensions import db
from . import services

BATCH = 500


def _line(values) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerow(row(values))
    return buffer.getvalue()


def rows(filters: services.MasterplanFilters) -> Iterator[str]:
    yield "\ufeff" + _line(
        [
            _("Number"),
            _("Council date"),
            _("Pillar"),
            _("Title"),
            _("Status"),
            _("Status code"),
            _("Carried by"),
            _("Last progress date"),
            _("Last progress"),
            _("Proposals"),
        ]
    )
    query = services.masterplan_query(filters).execution_options(yield_per=BATCH)
    batch = []
    for deliberation in db.session.scalars(query):
        batch.append(deliberation)
        if len(batch) == BATCH:
            yield from _batch(batch)
            batch = []
    yield from _batch(batch)


def _batch(deliberations) -> Iterator[str]:
    ids = [d.id for d in deliberations]
    notes = services.latest_notes(ids)
    codes = services.proposal_codes(ids)
    for d in deliberations:
        note = notes.get(d.id)
        yield _line(
            [
                d.number,
                d.council_session.held_on.isoformat(),
                d.pillar.name,
                d.title,
                d.status.title,
                d.masterplan_status,
                d.carrier,
                note.noted_on.isoformat() if note else "",
                note.body if note else "",
                " ".join(codes.get(d.id, [])),
            ]
        )
