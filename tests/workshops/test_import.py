"""Importing a transcription spreadsheet (CSV): all rows checked first, all or nothing."""

import pytest
from sqlalchemy import select

from participation.extensions import db
from participation.models import Proposal
from participation.workshops import errors, paper, spreadsheet

HEADER = "pilier;titre;texte;quartier"


def csv_bytes(*lines: str, separator=";", bom=False) -> bytes:
    text = "\r\n".join(line.replace(";", separator) for line in lines) + "\r\n"
    return ("\ufeff" if bom else "").encode() + text.encode("utf-8")


def proposals():
    return db.session.scalars(select(Proposal).order_by(Proposal.number)).all()


def run(workshop, facilitator, content: bytes):
    return paper.import_cards(workshop, facilitator, spreadsheet.read_sheet(content))


@pytest.fixture
def neighbourhood(create_neighbourhood):
    return create_neighbourhood("Quartier du Mont-Liébaut")


def test_valid_file_creates_every_card(workshop, facilitator, neighbourhood):
    content = csv_bytes(
        HEADER,
        "Mobilité / Transports;Des abris vélos;Près de la gare, sécurisés.;",
        'habitat;"Des jardins; partagés";"Sur deux lignes,\navec un point-virgule";'
        "quartier du mont liebaut",
        ";;;",  # an empty row a spreadsheet leaves behind
    )
    created = run(workshop, facilitator, content)
    db.session.commit()
    assert [p.code for p in created] == ["P-1", "P-2"]
    first, second = proposals()
    assert (first.title, first.pillar.slug, first.neighbourhood) == (
        "Des abris vélos",
        "mobilite",
        None,
    )
    assert second.title == "Des jardins; partagés"
    assert second.body == "Sur deux lignes,\navec un point-virgule"
    assert second.neighbourhood_id == neighbourhood.id
    assert {(p.origin, p.workshop_id, p.entered_by_id, p.author_id) for p in created} == {
        ("workshop", workshop.id, facilitator.id, None)
    }


@pytest.mark.parametrize("bom", [True, False])
@pytest.mark.parametrize("separator", [";", ","])
def test_bom_and_separators(workshop, facilitator, bom, separator):
    content = csv_bytes(
        "pillar;title;text;neighbourhood",
        "Mobility / Transport;Des navettes;Des navettes le dimanche.;",
        separator=separator,
        bom=bom,
    )
    (created,) = run(workshop, facilitator, content)
    assert created.title == "Des navettes" and created.body == "Des navettes le dimanche."


def test_columns_may_come_in_any_order_without_the_optional_one(workshop, facilitator):
    content = csv_bytes(
        "Texte,Titre,Pilier", "Un texte assez long.,Un titre,MOBILITE", separator=","
    )
    (created,) = run(workshop, facilitator, content)
    assert (created.title, created.body, created.neighbourhood_id) == (
        "Un titre",
        "Un texte assez long.",
        None,
    )


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        ("Culture;Un titre;Un texte.;", "pilier", "No pillar of this consultation"),
        (";Un titre;Un texte.;", "pilier", "Choose the card's pillar"),
        ("habitat;;Un texte.;", "titre", "Give the card a title"),
        ("habitat;Un;Un texte.;", "titre", "between 3 and 150"),
        ("habitat;" + "T" * 151 + ";Un texte.;", "titre", "between 3 and 150"),
        ("habitat;Un titre;;", "texte", "Type the text"),
        (
            "habitat;Un titre;Un texte.;Atlantide",
            "quartier",
            "No neighbourhood is called “Atlantide”",
        ),
    ],
)
def test_each_kind_of_bad_row_is_reported_by_row_and_column(
    english, workshop, facilitator, row, column, message
):
    content = csv_bytes(HEADER, "habitat;Un bon titre;Un bon texte.;", row)
    with pytest.raises(errors.PaperInvalid) as caught:
        run(workshop, facilitator, content)
    ((number, named, text),) = caught.value.problems
    assert (number, named) == (3, column) and message in text
    # All or nothing: the good row before it is not saved either.
    assert proposals() == []


def test_every_problem_of_every_row_is_listed(workshop, facilitator):
    content = csv_bytes(
        HEADER, ";;Un texte.;", "habitat;Un titre;;Nulle part", "habitat;Bon titre;Bon texte.;"
    )
    with pytest.raises(errors.PaperInvalid) as caught:
        run(workshop, facilitator, content)
    assert [(row, column) for row, column, _m in caught.value.problems] == [
        (2, "pilier"),
        (2, "titre"),
        (3, "quartier"),
        (3, "texte"),
    ]
    assert proposals() == []


def test_a_file_imported_twice_is_refused_the_second_time(english, workshop, facilitator):
    content = csv_bytes(HEADER, "habitat;Un titre;Un texte.;")
    run(workshop, facilitator, content)
    with pytest.raises(errors.PaperInvalid) as caught:
        run(workshop, facilitator, content)
    ((row, column, message),) = caught.value.problems
    assert (row, column) == (2, "titre") and "already typed in" in message and "P-1" in message
    assert len(proposals()) == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty"),
        ("pilier;titre;texte\r\nhabitat;Un titré;Un texte.\r\n".encode("cp1252"), "not in UTF-8"),
        (csv_bytes("pilier;titre", "habitat;Un titre"), "“text” / “texte” is missing"),
        (csv_bytes(HEADER), "no card under its header"),
        (csv_bytes(HEADER, *["habitat;Un titre;Un texte.;"] * 1001), "more than 1000 cards"),
        (b"x" * (spreadsheet.MAX_BYTES + 1), "larger than 1 MB"),
    ],
)
def test_unreadable_files(english, content, message):
    with pytest.raises(spreadsheet.SheetUnreadable) as caught:
        spreadsheet.read_sheet(content)
    assert message in str(caught.value)


def test_template_opens_in_a_spreadsheet_and_reads_back(app):
    template = spreadsheet.template_csv("fr")
    header, example = template.decode("utf-8-sig").split("\r\n")[:2]
    assert template.startswith(b"\xef\xbb\xbf") and header == HEADER
    # An example row shows how a card is written; left in the file, it is not imported.
    assert example.startswith("Mobilité;Exemple : des arceaux à vélos")
    assert (
        spreadsheet.template_csv("en")
        .decode("utf-8-sig")
        .startswith("pillar,title,text,neighbourhood")
    )
    with pytest.raises(spreadsheet.SheetUnreadable):  # the example alone: no card yet
        spreadsheet.read_sheet(template)


@pytest.mark.parametrize("written", ["Mobilite", "mobilité", "MOBILITÉ", "transports"])
def test_a_pillar_is_found_by_half_of_its_name(workshop, facilitator, written):
    content = csv_bytes(HEADER, f"{written};Des vélos;Des arceaux à vélos partout.;")
    proposals = paper.import_cards(workshop, facilitator, spreadsheet.read_sheet(content))
    assert proposals[0].pillar.name_fr == "Mobilité / Transports"


def test_thousand_cards_at_once(workshop, facilitator):
    content = csv_bytes(
        HEADER, *[f"habitat;Carte {n};Le texte de la carte {n}.;" for n in range(1000)]
    )
    created = run(workshop, facilitator, content)
    db.session.commit()
    assert len(created) == 1000 and created[-1].code == "P-1000"
