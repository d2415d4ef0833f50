"""'My participation': the resident's proposals, supports and comments."""

import pytest

from participation.extensions import db
from participation.models import utcnow
from tests.conftest import open_session


def test_visitor_is_sent_to_sign_in(client):
    for url in ("/me", "/me/data.json"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/sign-in" in response.headers["Location"]


def test_resident_sees_their_own_participation_only(
    client, create_user, create_proposal, create_support, create_comment, create_event, sign_in
):
    anne = create_user(display_name="Anne")
    bruno = create_user(display_name="Bruno")
    mine = create_proposal(author=anne, title="Des bancs au jardin public")
    create_event(mine, to_status="retained", from_status="published", note="Bonne idée")
    create_proposal(author=bruno, title="Proposition de Bruno")
    supported = create_proposal(author=bruno, title="Une piste cyclable")
    create_support(supported, anne)
    create_support(mine, bruno)
    create_comment(supported, anne, body="Oui, rue d'Arras surtout.")
    create_comment(mine, bruno, body="Commentaire de Bruno")
    sign_in(anne)
    client.post("/language", data={"locale": "en", "next": "/"})

    page = client.get("/me").text
    assert page.count("<h1") == 1
    assert "Des bancs au jardin public" in page
    assert f"/rounds/{mine.round.slug}/proposals/{mine.number}" in page
    assert "Retained by the moderators" in page
    assert "1 online support" in page and "0 at workshops" in page
    assert "Une piste cyclable" in page
    assert "Oui, rue d" in page
    assert "Proposition de Bruno" not in page
    assert "Commentaire de Bruno" not in page


def test_each_list_pages_on_its_own(client, create_user, sign_in, fill_participation):
    user = create_user()
    fill_participation(user, 25)
    sign_in(user)
    first = client.get("/me").text
    assert "Ma proposition 24" in first and "Ma proposition 0<" not in first
    assert "proposals_page=2" in first and "supports_page=2" in first and "comments_page=2" in first
    second = client.get("/me?proposals_page=2").text
    assert "Ma proposition 0<" in second
    # The other lists stay on their first page.
    assert "Mon avis" in second and "supports_page=2" in second
    assert client.get("/me?comments_page=999").status_code == 200


@pytest.mark.parametrize("url", ["/me", "/me/data.json"])
def test_query_count_does_not_grow_with_the_data(
    client, create_user, fill_participation, count_queries, url
):
    small, large = create_user(), create_user()
    fill_participation(small, 5)
    fill_participation(large, 200)

    def queries_for(user_id):
        with client.session_transaction() as session:
            session["_user_id"] = user_id
        db.session.expunge_all()
        with count_queries() as counter:
            response = client.get(url)
        assert response.status_code == 200
        return counter.count

    few, many = (queries_for(user_id) for user_id in [open_session(small), open_session(large)])
    assert few == many, (few, many)
    assert many <= 12


def test_a_merged_proposal_shows_where_it_went_and_what_became_of_it(
    client, create_user, create_round, create_pillar, create_proposal, sign_in
):
    anne = create_user()
    round_ = create_round(pillars=[create_pillar()])
    # Anne's proposal joined another, which itself joined a third, since retained.
    final = create_proposal(round=round_, title="Un grand parc au centre", status="retained")
    middle = create_proposal(round=round_, title="Un parc", status="merged", merged_into=final)
    mine = create_proposal(
        round=round_, author=anne, title="Des arbres", status="merged", merged_into=middle
    )
    sign_in(anne)
    client.post("/language", data={"locale": "en", "next": "/"})
    page = client.get("/me").text
    link = f'href="/rounds/{round_.slug}/proposals/{final.number}"'
    assert link in page
    assert f"Merged into <a {link}" in page
    assert f"{final.code} Un grand parc au centre</a>, now: Retained." in page
    assert f'/proposals/{middle.number}"' not in page
    assert mine.title in page and "Merged into another proposal" in page  # its own status


def test_a_merge_into_a_hidden_proposal_shows_no_link(
    client, create_user, create_round, create_pillar, create_proposal, sign_in
):
    anne = create_user()
    round_ = create_round(pillars=[create_pillar()])
    hidden = create_proposal(round=round_, title="Titre masqué", hidden_at=utcnow())
    create_proposal(round=round_, author=anne, status="merged", merged_into=hidden)
    sign_in(anne)
    client.post("/language", data={"locale": "en", "next": "/"})
    page = client.get("/me").text
    assert f"Merged into {hidden.code}, which is no longer shown to the public." in page
    assert "Titre masqué" not in page
    assert f'/proposals/{hidden.number}"' not in page
