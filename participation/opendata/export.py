"""A round's open data as a zip of CSV files, built while it is sent.

Same CSV conventions as the masterplan download (UTF-8 with a byte-order mark, ';' separators,
texts that could run as formulas neutralised by ``csv_cells``), with stable column names
described, in French and English, in ``dictionary.csv`` and ``README.txt``. The zip is written by the standard library into a small buffer drained after
every batch of rows, and rows are read ``yield_per`` batches: memory stays flat whatever the
round's size.
"""

import csv
import io
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from ..csv_cells import EXPLANATION_EN, EXPLANATION_FR, cell
from ..extensions import db
from ..models import Round, utcnow
from . import services

BATCH = 500
LICENCE = "Licence Ouverte / Open Licence 2.0 (Etalab)"
LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"


@dataclass(frozen=True)
class Column:
    name: str
    fr: str
    en: str


@dataclass(frozen=True)
class DataFile:
    name: str
    fr: str
    en: str
    columns: tuple[Column, ...]
    rows: Callable[[Round], Iterator[list]]


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat() + "Z"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _line(values: Iterable) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerow(
        [_text(cell(v)) for v in values]
    )
    return buffer.getvalue()


def _stream(query) -> Iterator:
    return iter(db.session.execute(query.execution_options(yield_per=BATCH)))


def _proposals(round_: Round) -> Iterator[list]:
    for row in _stream(services.proposal_rows(round_)):
        (number, title, body, pillar_slug, pillar, neighbourhood, status, origin, workshop_id,
         author, blocked_at, erased_at, online, paper, comments, merged_into, deliberation_id,
         created_at, published_at) = row  # fmt: skip
        # Blocked or erased accounts are not named; paper cards have no account at all.
        shown_author = author if author and blocked_at is None and erased_at is None else ""
        yield [
            f"P-{number}", number, title, body, pillar_slug, pillar, neighbourhood, status,
            origin, workshop_id, shown_author, online, paper, comments,
            f"P-{merged_into}" if merged_into else "", deliberation_id, created_at, published_at,
        ]  # fmt: skip


def _supports_by_day(round_: Round) -> Iterator[list]:
    for number, day, count in _stream(services.supports_by_day_rows(round_)):
        yield [f"P-{number}", services.as_day(day), count]


def _paper_supports(round_: Round) -> Iterator[list]:
    for number, workshop_id, count in _stream(services.paper_support_rows(round_)):
        yield [f"P-{number}", workshop_id, count]


def _comments(round_: Round) -> Iterator[list]:
    for comment_id, number, parent_id, origin, workshop_id, created_at, body in _stream(
        services.comment_rows(round_)
    ):
        yield [comment_id, f"P-{number}", parent_id, origin, workshop_id, created_at, body]


def _workshops(round_: Round) -> Iterator[list]:
    for row in _stream(services.workshop_rows(round_)):
        yield list(row)


def _deliberations(round_: Round) -> Iterator[list]:
    batch: list = []
    for row in _stream(services.deliberation_rows(round_)):
        batch.append(row)
        if len(batch) == BATCH:
            yield from _deliberation_batch(round_, batch)
            batch = []
    yield from _deliberation_batch(round_, batch)


def _deliberation_batch(round_: Round, batch: list) -> Iterator[list]:
    if not batch:
        return
    codes = services.deliberation_proposal_codes(round_, [row[0] for row in batch])
    for row in batch:
        yield [*row, codes.get(row[0], "")]


def _progress_notes(round_: Round) -> Iterator[list]:
    for row in _stream(services.progress_note_rows(round_)):
        yield list(row)


def _actions(_round: Round) -> Iterator[list]:
    for row in _stream(services.action_rows()):
        yield list(row)


def _carriers(_round: Round) -> Iterator[list]:
    for row in _stream(services.carrier_rows()):
        yield list(row)


C = Column
CODE = C("proposal_code", "Code de la proposition (P-numéro)", "Proposal code (P-number)")
WORKSHOP = C(
    "workshop_id",
    "Identifiant de l'atelier (voir workshops.csv), vide si en ligne",
    "Workshop id (see workshops.csv), empty when online",
)
FILES = (
    DataFile(
        "proposals.csv",
        "Propositions publiques (ni en attente de modération, ni masquées)",
        "Public proposals (neither awaiting moderation nor hidden)",
        (
            CODE,
            C("number", "Numéro dans la concertation", "Number within the round"),
            C("title", "Titre", "Title"),
            C("text", "Texte (Markdown)", "Text (Markdown)"),
            C("pillar_slug", "Identifiant du pilier", "Pillar identifier"),
            C("pillar", "Pilier", "Pillar"),
            C("neighbourhood", "Quartier, vide si non précisé", "Neighbourhood, empty if none"),
            C(
                "status",
                "Statut\u00a0: published, withdrawn, not_retained, under_study, merged, retained, promoted",
                "Status: published, withdrawn, not_retained, under_study, merged, retained, promoted",
            ),
            C(
                "origin",
                "Origine\u00a0: online (en ligne) ou workshop (atelier, papier)",
                "Origin: online or workshop (paper)",
            ),
            WORKSHOP,
            C(
                "author",
                "Nom affiché de l'auteur ; vide pour le papier et les comptes bloqués ou supprimés",
                "Author's display name; empty for paper and for blocked or erased accounts",
            ),
            C("online_supports", "Soutiens en ligne", "Online supports"),
            C(
                "paper_supports",
                "Soutiens papier (gommettes en atelier)",
                "Paper supports (workshop stickers)",
            ),
            C("comments", "Commentaires publiés", "Published comments"),
            C(
                "merged_into",
                "Code de la proposition qui l'a absorbée (doublon)",
                "Code of the proposal it was merged into (duplicate)",
            ),
            C(
                "deliberation_id",
                "Délibération cadre issue de la proposition (deliberations.csv)",
                "Framework deliberation it became (deliberations.csv)",
            ),
            C("created_at", "Date de dépôt (UTC, ISO 8601)", "Submitted at (UTC, ISO 8601)"),
            C(
                "published_at",
                "Date de publication (UTC, ISO 8601)",
                "Published at (UTC, ISO 8601)",
            ),
        ),
        _proposals,
    ),
    DataFile(
        "supports_by_day.csv",
        "Soutiens en ligne par proposition et par jour (nombres agrégés, jamais de personne)",
        "Online supports per proposal and day (aggregated counts, never a person)",
        (
            CODE,
            C("day", "Jour (UTC, AAAA-MM-JJ)", "Day (UTC, YYYY-MM-DD)"),
            C(
                "online_supports",
                "Nombre de soutiens en ligne ce jour-là",
                "Number of online supports that day",
            ),
        ),
        _supports_by_day,
    ),
    DataFile(
        "paper_supports.csv",
        "Soutiens papier comptés en atelier, par proposition et atelier",
        "Paper supports counted at workshops, per proposal and workshop",
        (CODE, WORKSHOP, C("paper_supports", "Nombre de gommettes", "Number of stickers")),
        _paper_supports,
    ),
    DataFile(
        "comments.csv",
        "Commentaires publiés (ni masqués ni supprimés) des propositions publiques, sans auteur",
        "Published comments (neither hidden nor deleted) on public proposals, without author",
        (
            C("comment_id", "Identifiant du commentaire", "Comment id"),
            CODE,
            C(
                "parent_id",
                "Commentaire auquel il répond, vide sinon (absent de ce fichier s'il a été "
                "masqué ou supprimé depuis : sa réponse reste publiée)",
                "Comment it replies to, empty otherwise (not in this file if it has since been "
                "hidden or deleted: the reply stays published)",
            ),
            C("origin", "Origine\u00a0: online ou workshop", "Origin: online or workshop"),
            WORKSHOP,
            C("created_at", "Date (UTC, ISO 8601)", "Date (UTC, ISO 8601)"),
            C("text", "Texte (Markdown)", "Text (Markdown)"),
        ),
        _comments,
    ),
    DataFile(
        "workshops.csv",
        "Ateliers de la concertation, participation et soutiens papier",
        "Workshops of the round, attendance and paper supports",
        (
            C("workshop_id", "Identifiant de l'atelier", "Workshop id"),
            C("title", "Titre", "Title"),
            C("starts_at", "Début (UTC, ISO 8601)", "Start (UTC, ISO 8601)"),
            C("ends_at", "Fin (UTC, ISO 8601)", "End (UTC, ISO 8601)"),
            C("place", "Lieu", "Place"),
            C(
                "state",
                "État\u00a0: planned, held, transcribed",
                "State: planned, held, transcribed",
            ),
            C("expected_attendance", "Participation attendue", "Expected attendance"),
            C("attendance", "Participation constatée", "Actual attendance"),
            C(
                "proposals",
                "Propositions publiques issues de l'atelier",
                "Public proposals from the workshop",
            ),
            C("paper_supports", "Soutiens papier comptés", "Paper supports counted"),
        ),
        _workshops,
    ),
    DataFile(
        "deliberations.csv",
        "Délibérations cadres et suivi de leur action dans le plan d'actions",
        "Framework deliberations and the tracking of their action in the masterplan",
        (
            C("deliberation_id", "Identifiant de la délibération", "Deliberation id"),
            C("council_date", "Date du conseil municipal", "Council session date"),
            C("council_session", "Séance du conseil", "Council session"),
            C("number", "Numéro de la délibération", "Deliberation number"),
            C("pillar_slug", "Identifiant du pilier", "Pillar identifier"),
            C("pillar", "Pilier", "Pillar"),
            C("title", "Titre", "Title"),
            C("text", "Texte", "Text"),
            C(
                "masterplan_status",
                "Avancement\u00a0: project (projet), in_progress (en cours), done (réalisé)",
                "Progress: project, in_progress, done",
            ),
            C("carrier", "Porteur de l'action", "Who carries the action"),
            C(
                "action_id",
                "Action du plan d'actions (actions.csv)",
                "Masterplan action (actions.csv)",
            ),
            C("proposals", "Propositions d'origine (codes)", "Proposals it came from (codes)"),
        ),
        _deliberations,
    ),
    DataFile(
        "progress_notes.csv",
        "Notes d'avancement datées des actions du plan d'actions issues des délibérations",
        "Dated progress notes on masterplan actions",
        (
            C(
                "deliberation_id",
                "Délibération (deliberations.csv)",
                "Deliberation (deliberations.csv)",
            ),
            C("noted_on", "Date de la note", "Date of the note"),
            C(
                "status",
                "Avancement fixé par la note, vide sinon",
                "Progress set by the note, empty otherwise",
            ),
            C("text", "Texte de la note", "Text of the note"),
            C("action_id", "Action (actions.csv)", "Action (actions.csv)"),
        ),
        _progress_notes,
    ),
    DataFile(
        "actions.csv",
        "Plan d'actions : toutes les actions publiques, de la Ville et de ses partenaires",
        "Masterplan: every public action, the city's and its partners'",
        (
            C("action_id", "Identifiant de l'action", "Action id"),
            C("title", "Titre", "Title"),
            C("text", "Description", "Description"),
            C("pillar_slug", "Identifiant du pilier", "Pillar identifier"),
            C("carrier_slug", "Porteur (carriers.csv)", "Carrier (carriers.csv)"),
            C(
                "status",
                "Avancement : project (projet), in_progress (en cours), done (réalisé)",
                "Progress: project, in_progress, done",
            ),
            C("planned_on", "Date prévue", "Planned date"),
            C("started_on", "Date de début", "Start date"),
            C("done_on", "Date de réalisation", "Date done"),
            C("percent", "Pourcentage réalisé", "Percentage done"),
            C(
                "deliberation_id",
                "Délibération cadre d'origine, vide sinon",
                "Framework deliberation it carries out, empty otherwise",
            ),
            C("is_sample", "Exemple de démonstration", "Sample content"),
        ),
        _actions,
    ),
    DataFile(
        "carriers.csv",
        "Porteurs des actions : la Ville et ses partenaires",
        "Who carries the actions: the city and its partners",
        (
            C("carrier_slug", "Identifiant du porteur", "Carrier identifier"),
            C("name", "Nom", "Name"),
            C(
                "kind",
                "Type : city, company, association, school, residents, individual",
                "Kind: city, company, association, school, residents, individual",
            ),
            C("description", "Description", "Description"),
            C("website", "Site web", "Website"),
            C("is_sample", "Exemple de démonstration", "Sample content"),
        ),
        _carriers,
    ),
)


# What holds for every file: how texts that could run as formulas are written.
EVERY_FILE = "*.csv"


def _dictionary_rows(_round: Round) -> Iterator[list]:
    for data_file in (*FILES, DICTIONARY):
        yield [data_file.name, "", data_file.fr, data_file.en]
        for column in data_file.columns:
            yield [data_file.name, column.name, column.fr, column.en]
    yield [EVERY_FILE, "", EXPLANATION_FR, EXPLANATION_EN]


DICTIONARY = DataFile(
    "dictionary.csv",
    "Dictionnaire des données\u00a0: chaque fichier et chaque colonne",
    "Data dictionary: every file and every column",
    (
        C("file", "Fichier", "File"),
        C(
            "column",
            "Colonne, vide pour la description du fichier",
            "Column, empty for the file's description",
        ),
        C("description_fr", "Description en français", "Description in French"),
        C("description_en", "Description en anglais", "Description in English"),
    ),
    _dictionary_rows,
)


def readme(round_: Round, generated_at: datetime) -> str:
    files = "\n".join(f"- {f.name}\u00a0: {f.fr}\n  ({f.en})" for f in (*FILES, DICTIONARY))
    return f"""Données ouvertes / Open data — {round_.title}
Ville de Béthune, plateforme «\u00a0Béthune à 2032\u00a0».
Extrait le / Generated at: {generated_at.replace(microsecond=0).isoformat()}Z (UTC)

Licence\u00a0: {LICENCE}
{LICENCE_URL}
Vous pouvez réutiliser ces données librement, y compris commercialement, en mentionnant la
source\u00a0: «\u00a0Ville de Béthune, Béthune à 2032\u00a0» et la date de l'extrait.
You may reuse these data freely, commercially too, provided you credit the source:
"Ville de Béthune, Béthune à 2032" and the date of the extract.

Format\u00a0: CSV, UTF-8 avec BOM, séparateur «\u00a0;\u00a0», dates en UTC (ISO 8601).
Format: CSV, UTF-8 with BOM, ';' separator, dates in UTC (ISO 8601).
{EXPLANATION_FR}
{EXPLANATION_EN}
Seules les contributions publiques y figurent\u00a0: aucune adresse électronique, aucun soutien
nominatif. Only public contributions: no e-mail address, no named support.

Fichiers / Files:
{files}
"""


class _Drain:
    """A write-only file for ``zipfile``: keeps what is written until the next ``take``."""

    def __init__(self):
        self._chunks: list[bytes] = []

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def _entry(archive: zipfile.ZipFile, name: str, moment: datetime):
    info = zipfile.ZipInfo(name, date_time=moment.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    # force_zip64: the size is unknown when the entry starts, and may pass 4 GiB.
    return archive.open(info, "w", force_zip64=True)


def zip_chunks(round_: Round) -> Iterator[bytes]:
    """The zip, as byte chunks: one per batch of rows."""
    generated_at = utcnow()
    sink = _Drain()
    with zipfile.ZipFile(sink, "w") as archive:
        with _entry(archive, "README.txt", generated_at) as entry:
            entry.write(readme(round_, generated_at).encode("utf-8"))
        yield sink.take()
        for data_file in (*FILES, DICTIONARY):
            with _entry(archive, data_file.name, generated_at) as entry:
                entry.write(("\ufeff" + _line(c.name for c in data_file.columns)).encode())
                lines = []
                for row in data_file.rows(round_):
                    lines.append(_line(row))
                    if len(lines) == BATCH:
                        entry.write("".join(lines).encode())
                        lines = []
                        yield sink.take()
                entry.write("".join(lines).encode())
            yield sink.take()
    yield sink.take()
