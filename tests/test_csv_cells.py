"""No CSV the platform writes holds a cell that a spreadsheet program would run as a formula."""

import csv
import io
import zipfile
from datetime import date, timedelta
from decimal import Decimal

import pytest

from participation.csv_cells import ESCAPE, FORMULA_STARTS, cell, row
from participation.extensions import db
from participation.models import (
    Action,
    Carrier,
    Comment,
    CouncilSession,
    Deliberation,
    PaperSupport,
    ProgressNote,
    Role,
    Workshop,
    utcnow,
)


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_a_text_that_could_run_gets_an_apostrophe(start):
    text = f'{start}HYPERLINK("https://evil.example";"Ouvrir")'
    assert cell(text) == ESCAPE + text
    # Undone by removing the first apostrophe, even for a text that had one of its own.
    assert cell("'déjà une apostrophe") == "''déjà une apostrophe"
    assert cell(cell(text))[1:] == cell(text)


def test_numbers_dates_and_plain_texts_are_left_alone():
    assert row([-3, 0, 2.5, Decimal("-1.5"), None, date(2033, 1, 15), "Ville de Béthune"]) == [
        -3,
        0,
        2.5,
        Decimal("-1.5"),
        None,
        date(2033, 1, 15),
        "Ville de Béthune",
    ]
    # A number written as text is text: it is neutralised like any other.
    assert cell("-3") == "'-3"


# --- every CSV the application answers -------------------------------------------------------

ROLES = (None, Role.RESIDENT, Role.FACILITATOR, Role.MODERATOR, Role.ADMIN)
# The downloads known today: the walk must find them all, and checks whatever else it finds.
KNOWN = {
    "deliberations.deliberations_csv",
    "deliberations.list_csv",
    "masterplan.csv",
    "workshops.import_template",
    "opendata.download",
}


def _texts(start: str) -> dict[str, str]:
    """Every kind of text that reaches a CSV, beginning with ``start``."""
    return {
        kind: f"{start}{kind.upper()}(1+1) texte"
        for kind in (
            "pillar",
            "neighbourhood",
            "author",
            "title",
            "body",
            "comment",
            "workshop",
            "place",
            "session",
            "deliberation",
            "carrier",
            "note",
        )
    }


@pytest.fixture
def dangerous_round(
    create_user, create_pillar, create_neighbourhood, create_round, create_proposal
):
    """A round whose every text begins with a character a spreadsheet would run."""
    now = utcnow()
    round_ = create_round()
    written = []
    for n, start in enumerate(FORMULA_STARTS, start=1):
        texts = _texts(start)
        written += texts.values()
        pillar = create_pillar(texts["pillar"], name_en=texts["pillar"])
        round_.pillars.append(pillar)
        workshop = Workshop(
            round=round_,
            title=texts["workshop"],
            place=texts["place"],
            starts_at=now - timedelta(days=2),
            ends_at=now - timedelta(days=2, hours=-2),
            attendance=10,
            state="transcribed",
        )
        db.session.add(workshop)
        proposal = create_proposal(
            round_,
            author=create_user(display_name=texts["author"]),
            pillar=pillar,
            neighbourhood=create_neighbourhood(texts["neighbourhood"]),
            title=texts["title"],
            body=texts["body"],
        )
        db.session.add(PaperSupport(workshop=workshop, proposal=proposal, count=2, sheet_count=2))
        db.session.add(
            Comment(proposal=proposal, body=texts["comment"], body_html=texts["comment"])
        )
        proposal.comment_count = 1
        session = CouncilSession(held_on=date(2033, 1, n), title=texts["session"], round=round_)
        deliberation = Deliberation(
            council_session=session,
            number=n,
            pillar=pillar,
            title=texts["deliberation"],
            body=texts["body"],
        )
        proposal.deliberation = deliberation
        carrier = Carrier(slug=f"porteur-{n}", name=texts["carrier"], kind="association")
        action = Action(
            title=texts["deliberation"],
            description=texts["body"],
            pillar=pillar,
            carrier=carrier,
            deliberation=deliberation,
        )
        db.session.add(ProgressNote(action=action, noted_on=date(2033, 2, n), body=texts["note"]))
    db.session.commit()
    return round_, written


def _arguments(rule, round_) -> dict:
    """Values for the rule's URL arguments, naming the round's things."""
    comment = db.session.scalar(db.select(Comment))
    workshop = db.session.scalar(db.select(Workshop).where(Workshop.round_id == round_.id))
    deliberation = db.session.scalar(db.select(Deliberation))
    values = {
        "slug": round_.slug,
        "number": comment.proposal.number,
        "proposal_id": comment.proposal_id,
        "comment_id": comment.id,
        "deliberation_id": deliberation.id,
        "workshop_id": workshop.id,
        "user_id": comment.proposal.author_id,
        "token": "not-a-token",
        "action_id": db.session.scalar(db.select(Action.id)),
        "carrier_slug": db.session.scalar(db.select(Carrier.slug)),
        # No CSV holds answer templates: a page that is not found is enough.
        "answer_id": 1,
    }
    return {name: values[name] for name in rule.arguments}


def _csv_files(response) -> dict[str, bytes]:
    """The CSV files in an answer: itself, or those of its zip."""
    if response.mimetype == "text/csv":
        return {response.headers.get("Content-Disposition", "csv"): response.data}
    if response.mimetype == "application/zip":
        archive = zipfile.ZipFile(io.BytesIO(response.data))
        return {name: archive.read(name) for name in archive.namelist() if name.endswith(".csv")}
    return {}


def _cells(content: bytes) -> list[str]:
    text = content.decode("utf-8-sig")
    header = text.split("\r\n", 1)[0]
    separator = ";" if header.count(";") >= header.count(",") else ","
    return [value for line in csv.reader(io.StringIO(text, newline=""), delimiter=separator)
            for value in line]  # fmt: skip


def test_every_csv_the_app_answers_is_safe_to_open(app, dangerous_round, create_user, sign_in):
    round_, written = dangerous_round
    found: dict[str, list[str]] = {}
    rules = [r for r in app.url_map.iter_rules() if "GET" in r.methods and r.endpoint != "static"]
    for role in ROLES:
        client = app.test_client()
        if role is not None:
            sign_in(create_user(role), client)
        for rule in rules:
            url = app.url_for(rule.endpoint, **_arguments(rule, round_))
            for language in ("fr", "en"):
                response = client.get(url, headers={"Accept-Language": language})
                for name, content in _csv_files(response).items():
                    found.setdefault(rule.endpoint, [])
                    for value in _cells(content):
                        assert not value.startswith(FORMULA_STARTS), (url, name, value)
                        found[rule.endpoint].append(value)
    assert set(found) >= KNOWN, KNOWN - set(found)
    # The texts are there, neutralised: the check above did read them.
    everything = {value for values in found.values() for value in values}
    missing = [text for text in written if ESCAPE + text not in everything]
    assert not missing, missing
