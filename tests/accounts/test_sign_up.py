import re

from participation.extensions import db
from participation.models import User
from tests.conftest import TEST_PASSWORD


def link_in(message) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()
    match = re.search(r"http://localhost(/\S+)", body)
    assert match, body
    return match.group(1)


def sign_up(client, **fields):
    data = {
        "email": "Marie.Dupont@Example.org ",
        "display_name": "Marie",
        "password": TEST_PASSWORD,
        "password_confirm": TEST_PASSWORD,
        "neighbourhood_id": "",
    }
    data.update(fields)
    return client.post("/sign-up", data=data)


def test_sign_up_creates_unconfirmed_resident_and_mails_link(client, outbox, create_neighbourhood):
    quarter = create_neighbourhood("Catorive")
    response = sign_up(client, neighbourhood_id=str(quarter.id))
    assert response.status_code == 200
    assert "Vérifiez votre boîte" in response.text or "Check your inbox" in response.text
    user = db.session.scalar(db.select(User))
    assert user.email == "marie.dupont@example.org"
    assert user.role == "resident"
    assert user.neighbourhood_id == quarter.id
    assert user.email_confirmed_at is None
    assert user.password_hash.startswith("$argon2")
    (message,) = outbox()
    assert message["To"] == "marie.dupont@example.org"
    assert link_in(message).startswith("/confirm/")


def test_confirmation_link_confirms_once_and_bad_link_is_refused(client, outbox):
    sign_up(client)
    link = link_in(outbox()[0])
    response = client.get(link)
    assert response.status_code == 302
    assert db.session.scalar(db.select(User)).email_confirmed_at is not None
    assert client.get(link[:-3] + "xyz").status_code == 400


def test_expired_confirmation_link_says_so_and_offers_a_new_one(app, client, outbox):
    sign_up(client)
    link = link_in(outbox()[0])
    app.config["CONFIRM_TOKEN_MAX_AGE"] = -1
    response = client.get(link, headers={"Accept-Language": "fr"})
    assert response.status_code == 400
    assert "/confirm/again" in response.text
    assert db.session.scalar(db.select(User)).email_confirmed_at is None


def test_sign_up_with_known_email_answers_the_same_and_warns_the_owner(client, create_user, outbox):
    owner = create_user(email="known@example.org")
    new = sign_up(client, email="new@example.org")
    known = sign_up(client, email="KNOWN@example.org")
    assert known.status_code == new.status_code == 200

    def same(text: str) -> str:
        # The forms' CSRF tokens are signed with the time: they differ from one second to the next.
        return re.sub(r"<input[^>]*csrf_token[^>]*>", "", text)

    assert same(known.text.replace("known@", "X@").replace("KNOWN@", "X@")) == same(
        new.text.replace("new@", "X@")
    )
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 2
    messages = outbox()
    assert [m["To"] for m in messages] == ["new@example.org", "known@example.org"]
    assert owner.display_name in messages[1].get_content()


def test_bad_input_keeps_what_was_typed_with_messages_next_to_fields(client):
    response = sign_up(
        client, email="not-an-email", display_name="Jean", password="short", password_confirm="x"
    )
    assert response.status_code == 200
    page = response.text
    assert 'value="not-an-email"' in page
    assert 'value="Jean"' in page
    assert 'aria-invalid="true"' in page
    assert "12 caractères" in page  # French by default
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0


def test_bad_input_messages_are_in_english_when_english_is_chosen(client):
    client.post("/language", data={"locale": "en", "next": "/"})
    response = sign_up(client, password="short", password_confirm="short")
    assert "at least 12 characters" in response.text
    assert '<html lang="en">' in response.text


def test_password_of_twelve_characters_without_composition_rules_is_accepted(client):
    # Lower-case letters and a space: no digit, capital or symbol is asked for.
    sign_up(client, password="beffroi lune", password_confirm="beffroi lune")
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 1


def test_sign_up_page_explains_erasure_beforehand(client):
    response = client.get("/sign-up")
    assert "compte supprimé" in response.text
