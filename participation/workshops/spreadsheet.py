"""Reading a transcription spreadsheet saved as CSV, and the template offered for download.

Spreadsheet programs write CSV in UTF-8 with or without a byte-order mark, separated by ';'
(French settings) or ',' (English ones). Rows are numbered as the spreadsheet shows them: the
header is row 1. Checking what the cells mean is ``paper.import_cards``'s work.
"""

import csv
import io
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from ..csv_cells import row
from ..errors import Invalid
from ..rounds.services import slugify
from ..text import control_characters

MAX_BYTES = 1024 * 1024
MAX_ROWS = 1000

# Column: the headers it is recognised by (compared without accents, case or punctuation).
COLUMNS = {
    "pillar": ("pillar", "pilier"),
    "title": ("title", "titre"),
    "text": ("text", "texte"),
    "neighbourhood": ("neighbourhood", "neighborhood", "quartier"),
}
REQUIRED = ("pillar", "title", "text")
# The template's header row, an example row to show how a card is written (to be replaced), and
# the separator, as a spreadsheet program of that language expects.
TEMPLATES = {
    "fr": (
        ["pilier", "titre", "texte", "quartier"],
        [
            "Mobilité",
            "Exemple : des arceaux à vélos devant la médiathèque",
            "Exemple à remplacer : le texte de la carte, tel qu'il est écrit.",
            "Centre-ville",
        ],
        ";",
    ),
    "en": (
        ["pillar", "title", "text", "neighbourhood"],
        [
            "Mobility",
            "Example: bicycle racks in front of the library",
            "Example to replace: the text of the card, as it is written.",
            "Centre-ville",
        ],
        ",",
    ),
}


# The example rows' title and text, so that an example left in the file is not imported.
EXAMPLES = {(example[1], example[2]) for _header, example, _separator in TEMPLATES.values()}


class SheetUnreadable(Invalid):
    """The file cannot be read as a table: one problem for the whole file."""

    def __init__(self, message):
        super().__init__(message)
        self.problems = [(None, None, str(message))]


@dataclass
class SheetRow:
    number: int  # as the spreadsheet numbers it (the header is row 1)
    cells: dict[str, str]  # column key → stripped text ("" when absent)


@dataclass
class Sheet:
    headers: dict[str, str]  # column key → the header as written in the file
    rows: list[SheetRow]


def template_csv(language: str) -> bytes:
    """The template: its header row and an example row, with a byte-order mark so that accents
    open well."""
    header, example, separator = TEMPLATES.get(language, TEMPLATES["fr"])
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\r\n")
    writer.writerow(row(header))
    writer.writerow(row(example))
    return buffer.getvalue().encode("utf-8-sig")


def _decode(content: bytes) -> str:
    try:
        # "utf-8-sig" drops a byte-order mark when there is one.
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SheetUnreadable(
            _l(
                "The file is not in UTF-8. In your spreadsheet program, save it as “CSV UTF-8” "
                "and send it again."
            )
        ) from None


def _separator(header_line: str) -> str:
    counts = {separator: header_line.count(separator) for separator in (";", ",", "\t")}
    return max(counts, key=lambda separator: counts[separator])


def _column_key(header: str) -> str | None:
    folded = slugify(header)
    for key, names in COLUMNS.items():
        if folded in names:
            return key
    return None


def read_sheet(content: bytes) -> Sheet:
    """Parse a CSV file into rows keyed by column, or raise ``SheetUnreadable``."""
    if len(content) > MAX_BYTES:
        raise SheetUnreadable(_l("The file is larger than 1 MB: split it into several files."))
    text = _decode(content)
    if not text.strip():
        raise SheetUnreadable(_l("The file is empty."))
    if control_characters(text):
        raise SheetUnreadable(
            _l("The file holds characters that are not text: save it again as “CSV UTF-8”.")
        )
    separator = _separator(text.splitlines()[0])
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))
    except csv.Error:
        raise SheetUnreadable(
            _l("The file could not be read as a table. Save it from your spreadsheet as CSV.")
        ) from None

    headers: dict[str, str] = {}
    positions: dict[str, int] = {}
    for position, header in enumerate(records[0]):
        key = _column_key(header)
        if key is not None and key not in positions:
            headers[key] = header.strip()
            positions[key] = position
    missing = [key for key in REQUIRED if key not in positions]
    if missing:
        # Both languages' names: the file may come from a template in either.
        names = ", ".join(" / ".join(f"“{name}”" for name in COLUMNS[key][:2]) for key in missing)
        raise SheetUnreadable(
            _l(
                "Row 1 must name the columns: %(names)s is missing. Start from the template.",
                names=names,
            )
        )

    rows = []
    for index, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue  # spreadsheets leave empty rows behind
        cells = {
            key: record[position].strip() if position < len(record) else ""
            for key, position in positions.items()
        }
        if (cells["title"], cells["text"]) in EXAMPLES:
            continue  # the template's example row, left in
        rows.append(SheetRow(number=index, cells=cells))
    if not rows:
        raise SheetUnreadable(_l("The file has no card under its header row."))
    if len(rows) > MAX_ROWS:
        raise SheetUnreadable(
            _l("The file has more than %(max)d cards: split it into several files.", max=MAX_ROWS)
        )
    return Sheet(headers=headers, rows=rows)
