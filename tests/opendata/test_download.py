"""The open-data zip: every file parsed as a reuser would, and nothing private inside."""

import csv
import io
import re
import zipfile

import pytest

from participation.extensions import db
from participation.models import Proposal
from participation.opendata import export

EMAIL = re.compile(rb"[\w.+-]+@[\w-]+\.[\w.-]+")
EXPECTED_FILES = {
    "README.txt",
    "dictionary.csv",
    "proposals.csv",
    "supports_by_day.csv",
    "paper_supports.csv",
    "comments.csv",
    "workshops.csv",
    "deliberations.csv",
    "progress_notes.csv",
    "actions.csv",
    "carriers.csv",
}


def download(client, round_) -> zipfile.ZipFile:
    response = client.get(f"/rounds/{round_.slug}/open-data.zip")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    return zipfile.ZipFile(io.BytesIO(response.data))


def read_csv(archive: zipfile.ZipFile, name: str) -> list[dict]:
    raw = archive.read(name)
    assert raw.startswith("\ufeff".encode()), f"{name} has no byte-order mark"
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def by(rows: list[dict], key: str) -> dict:
    return {row[key]: row for row in rows}


def test_zip_holds_every_file(client, round_data):
    archive = download(client, round_data.round)
    assert set(archive.namelist()) == EXPECTED_FILES
    assert archive.testzip() is None


def test_proposals_are_the_public_ones_with_their_figures(client, round_data):
    rows = by(read_csv(download(client, round_data.round), "proposals.csv"), "title")
    assert set(rows) == {"Des jardins partagés", "Navette électrique", "Plus de vélos"}
    online = rows["Des jardins partagés"]
    assert online["proposal_code"] == round_data.proposals["online"].code
    assert online["pillar"] == "Habitat / Environnement"
    assert online["neighbourhood"] == "Centre-ville"
    assert online["status"] == "published"
    assert online["origin"] == "online"
    assert online["author"] == "Alice Martin"
    assert (online["online_supports"], online["paper_supports"], online["comments"]) == (
        "2",
        "5",
        "1",
    )
    assert online["deliberation_id"] == str(round_data.deliberations["started"].id)
    paper = rows["Navette électrique"]
    assert (paper["origin"], paper["author"]) == ("workshop", "")
    assert paper["workshop_id"] == str(round_data.workshop.id)
    # A blocked account's proposal stays public, but its author is not named.
    assert rows["Plus de vélos"]["author"] == ""


def test_supports_are_counts_per_proposal_and_day(client, round_data):
    archive = download(client, round_data.round)
    supports = read_csv(archive, "supports_by_day.csv")
    assert [(r["proposal_code"], r["online_supports"]) for r in supports] == [
        (round_data.proposals["online"].code, "2")
    ]
    assert list(supports[0]) == ["proposal_code", "day", "online_supports"]
    paper = read_csv(archive, "paper_supports.csv")
    assert sorted((r["proposal_code"], r["paper_supports"]) for r in paper) == sorted(
        [(round_data.proposals["online"].code, "5"), (round_data.proposals["paper"].code, "3")]
    )


def test_comments_are_the_published_ones_without_authors(client, round_data):
    rows = read_csv(download(client, round_data.round), "comments.csv")
    assert sorted(r["text"] for r in rows) == [
        "Bon commentaire public",
        "Commentaire écrit en atelier",
    ]
    assert "author" not in rows[0]
    paper = next(r for r in rows if r["origin"] == "workshop")
    assert paper["proposal_code"] == round_data.proposals["paper"].code


def test_a_reply_to_a_comment_hidden_since_names_it_and_the_data_says_why_it_is_absent(
    client, round_data, add_comment
):
    online = round_data.proposals["online"]
    answered = add_comment(online, "Un commentaire masqué ensuite")
    add_comment(online, "Une réponse qui reste publiée", parent_id=answered.id)
    answered.hidden_at = answered.created_at
    db.session.commit()
    archive = download(client, round_data.round)
    rows = read_csv(archive, "comments.csv")
    (reply,) = [r for r in rows if r["text"] == "Une réponse qui reste publiée"]
    assert reply["parent_id"] == str(answered.id)
    assert str(answered.id) not in {r["comment_id"] for r in rows}
    # The data dictionary in the zip tells reusers why that comment is not in the file.
    dictionary = archive.read("dictionary.csv").decode("utf-8-sig")
    (parent,) = [
        line for line in dictionary.splitlines() if line.startswith("comments.csv;parent_id")
    ]
    assert "masqué ou supprimé" in parent and "hidden or deleted" in parent


def test_workshops_deliberations_and_masterplan(client, round_data):
    archive = download(client, round_data.round)
    (workshop,) = read_csv(archive, "workshops.csv")
    assert (workshop["title"], workshop["attendance"], workshop["paper_supports"]) == (
        "Atelier mobilité",
        "25",
        "8",
    )
    assert workshop["proposals"] == "1"
    deliberations = by(read_csv(archive, "deliberations.csv"), "title")
    started = deliberations["Créer des jardins partagés"]
    assert (started["masterplan_status"], started["carrier"]) == (
        "in_progress",
        "Association Les Jardins",
    )
    assert started["proposals"] == round_data.proposals["online"].code
    assert started["council_date"] == "2033-01-15"
    assert deliberations["Navettes"]["masterplan_status"] == "done"
    (note,) = read_csv(archive, "progress_notes.csv")
    assert (note["deliberation_id"], note["noted_on"], note["text"]) == (
        str(round_data.deliberations["started"].id),
        "2033-03-01",
        "Premier jardin ouvert",
    )
    assert note["action_id"] == str(round_data.deliberations["started"].action.id)
    # The whole masterplan, with its carriers: the city's actions and its partners'.
    actions = by(read_csv(archive, "actions.csv"), "title")
    assert actions["Créer des jardins partagés"]["carrier_slug"] == (
        round_data.deliberations["started"].action.carrier.slug
    )
    assert actions["Créer des jardins partagés"]["status"] == "in_progress"
    assert actions["Navettes"]["deliberation_id"] == str(round_data.deliberations["done"].id)
    carriers = by(read_csv(archive, "carriers.csv"), "name")
    assert carriers["Ville de Béthune"]["kind"] == "city"
    assert carriers["Association Les Jardins"]["kind"] == "association"


def test_nothing_private_in_any_file(client, round_data):
    archive = download(client, round_data.round)
    for name in archive.namelist():
        content = archive.read(name)
        for secret in round_data.secrets:
            assert secret.encode() not in content, f"{secret!r} leaked in {name}"
        # The README and the dictionary name "@" (texts beginning with it are neutralised).
        assert not EMAIL.search(content), f"an e-mail address may have leaked in {name}"


def test_dictionary_describes_every_column_in_both_languages(client, round_data):
    archive = download(client, round_data.round)
    dictionary = read_csv(archive, "dictionary.csv")
    described = {(r["file"], r["column"]) for r in dictionary}
    for name in EXPECTED_FILES - {"README.txt"}:
        header = next(
            csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig")), delimiter=";")
        )
        assert (name, "") in described, name
        for column in header:
            assert (name, column) in described, f"{name}: {column} not described"
    assert all(r["description_fr"] and r["description_en"] for r in dictionary)
    readme = archive.read("README.txt").decode()
    assert "Licence Ouverte / Open Licence 2.0" in readme
    assert round_data.round.title in readme


def test_zip_is_built_as_it_streams(app, client, round_data, create_proposal, monkeypatch):
    for n in range(7):
        create_proposal(round_data.round, title=f"Proposition {n}")
    response = client.get(f"/rounds/{round_data.round.slug}/open-data.zip")
    assert response.is_streamed
    # Smaller batches, more chunks: the archive is sent batch by batch, not built whole.
    monkeypatch.setattr(export, "BATCH", 2)
    with app.test_request_context():
        chunks = list(export.zip_chunks(round_data.round))
    proposal_count = db.session.query(Proposal).filter_by(round_id=round_data.round.id).count()
    assert len([c for c in chunks if c]) > proposal_count // 2
    rows = read_csv(zipfile.ZipFile(io.BytesIO(b"".join(chunks))), "proposals.csv")
    assert len(rows) == 10


def test_unknown_round_is_404(client, app):
    assert client.get("/rounds/nowhere/open-data.zip").status_code == 404
    assert client.get("/rounds/nowhere/open-data").status_code == 404


@pytest.mark.parametrize("language", ["fr", "en"])
def test_open_data_page_explains_files_licence_and_links(client, round_data, language):
    response = client.get(
        f"/rounds/{round_data.round.slug}/open-data", headers={"Accept-Language": language}
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f"/rounds/{round_data.round.slug}/open-data.zip" in html
    assert f"/rounds/{round_data.round.slug}/statistics" in html
    assert "Licence Ouverte / Open Licence 2.0 (Etalab)" in html
    assert "/api/v1/docs" in html
    for name in EXPECTED_FILES - {"README.txt"}:
        assert name in html


def test_zip_query_count_does_not_grow_with_rows(
    client, round_data, count_queries, create_proposal
):
    url = f"/rounds/{round_data.round.slug}/open-data.zip"
    with count_queries() as small:
        client.get(url).get_data()
    for n in range(30):
        create_proposal(round_data.round, title=f"Encore {n}")
    with count_queries() as large:
        client.get(url).get_data()
    assert large.count == small.count


def test_readme_and_dictionary_explain_the_neutralised_texts(client, round_data):
    from participation.csv_cells import EXPLANATION_EN, EXPLANATION_FR

    archive = download(client, round_data.round)
    readme = archive.read("README.txt").decode()
    assert EXPLANATION_FR in readme and EXPLANATION_EN in readme
    every_file = [r for r in read_csv(archive, "dictionary.csv") if r["file"] == "*.csv"]
    assert [(r["description_fr"], r["description_en"]) for r in every_file] == [
        (EXPLANATION_FR, EXPLANATION_EN)
    ]
