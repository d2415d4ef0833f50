"""'My participation': the resident's proposals, supports and comments."""

import pytest

from participation.extensions import db


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

    few, many = (queries_for(user_id) for user_id in [small.get_id(), large.get_id()])
    assert few == many, (few, many)
    assert many <= 12
