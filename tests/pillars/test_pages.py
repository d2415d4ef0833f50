"""The pillar pages, filled by the 2018 Smart Days import."""

from html import unescape

import pytest

from participation.extensions import db
from participation.history.services import import_smart_days_2018

# Queries a pillar page may make, whatever the number of deliberations and proposals:
# the pillar, the count and page of its proposals, its deliberations.
PILLAR_PAGE_QUERIES = 4


@pytest.fixture
def imported(app):
    import_smart_days_2018()
    db.session.commit()


def page(client, url: str, language: str = "fr") -> str:
    response = client.get(url, headers={"Accept-Language": language})
    assert response.status_code == 200, response.status_code
    return unescape(response.get_data(as_text=True))


def test_index_lists_the_seven_pillars_in_the_official_order(client, imported):
    text = page(client, "/pillars/")

    names = [
        "Habitat / Environnement",
        "Mobilité / Transports",
        "Éducation / Emploi",
        "Alimentation / Consommation",
        "Loisirs / Culture",
        "Santé / Bien-être",
        "Entraide / Solidarité",
    ]
    positions = [text.index(f">{name}</a>") for name in names]
    assert positions == sorted(positions)


def test_pillar_page_shows_context_objectives_and_deliberations(client, imported):
    text = page(client, "/pillars/habitat-environnement")

    assert "<h1>Habitat / Environnement</h1>" in text
    assert "<li>D'ici à 2027, il faudra construire 1 350 logements supplémentaires</li>" in text
    assert "<li>Tendre vers 1/3 d'espaces verts</li>" in text
    assert "Installations de fermes et de ruches en ville" in text
    assert "Promotion de l'habitat participatif" in text
    assert text.count('class="deliberation-list__number"') == 14
    # Another pillar's deliberation is not listed.
    assert "Développement de navettes autonomes gratuites" not in text


def test_pillar_whose_context_was_a_repeat_shows_none(client, imported):
    text = page(client, "/pillars/sante-bien-etre", "en")

    assert "The 2018 brochure gives no context figures for this pillar." in text
    assert "250 associations" not in text
    assert "100 % des spécialités médicales accessibles à Béthune" in text
    assert "Création de parcours de sport-santé" in text
    assert "Développement d'un service Béthune Sport Community" in text
    assert text.count('class="deliberation-list__number"') == 11


def test_shared_proposal_is_listed_in_both_pillars(client, imported):
    for slug, number in (("sante-bien-etre", 69), ("entraide-solidarite", 83)):
        text = page(client, f"/pillars/{slug}", "en")
        assert f"No. 2018-12-11/{number}</span>" in text
        assert "Développement d'un service Béthune Sport Community" in text


def test_english_page_names_pillars_in_english_and_keeps_french_content_french(client, imported):
    english = page(client, "/pillars/mobilite-transports", "en")

    assert '<html lang="en">' in english
    assert "<h1>Mobility / Transport</h1>" in english
    assert '<ul lang="fr"><li>34 000 habitants' in english
    assert '<span lang="fr">Création et mise en application d\'un plan vélo</span>' in english
    assert "Mutual aid / Solidarity" in page(client, "/pillars/", "en")

    french = page(client, "/pillars/mobilite-transports", "fr")
    assert "<h1>Mobilité / Transports</h1>" in french
    assert 'lang="fr"><li>' not in french


def test_unknown_pillar_is_not_found(client, imported):
    assert client.get("/pillars/urbanisme").status_code == 404


def test_pillar_page_makes_the_same_few_queries_for_2_or_300_deliberations(
    client, create_pillar, create_deliberation, assert_page_queries
):
    pillar = create_pillar(slug="habitat", context="Un chiffre", objectives="Un objectif")
    for _ in range(2):
        create_deliberation(pillar=pillar)
    few = assert_page_queries("/pillars/habitat", PILLAR_PAGE_QUERIES)

    for _ in range(298):
        create_deliberation(pillar=pillar)
    many = assert_page_queries("/pillars/habitat", PILLAR_PAGE_QUERIES)

    assert many == few


def test_pillar_index_queries_do_not_grow_with_pillars(client, create_pillar, assert_page_queries):
    create_pillar()
    few = assert_page_queries("/pillars/", 2)
    for _ in range(30):
        create_pillar()
    assert assert_page_queries("/pillars/", 2) == few
