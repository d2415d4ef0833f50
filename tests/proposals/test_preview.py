"""The preview of a proposal's text: a button that works without script, and the answer the
script asks for while one types. Nothing is saved either way."""

import pytest
from sqlalchemy import func, select

from participation.extensions import db
from participation.models import Proposal

EN = {"Accept-Language": "en"}


@pytest.fixture
def round_(create_round, create_pillar):
    return create_round(pillars=[create_pillar(name_fr="Mobilité / Transports")])


TEXT = "Des arceaux **solides** devant la médiathèque :\n\n- près de l'entrée\n- à l'abri"


def test_the_preview_button_shows_the_text_as_it_will_read_and_saves_nothing(
    client, round_, create_user, sign_in
):
    sign_in(create_user())
    pillar = round_.pillars[0]
    response = client.post(
        f"/rounds/{round_.slug}/proposals/new",
        data={"title": "Des arceaux à vélos", "body": TEXT, "pillar_id": pillar.id, "preview": "1"},
        headers=EN,
    )

    assert response.status_code == 200
    preview = response.text[response.text.index('id="preview"') :]
    assert "<strong>solides</strong>" in preview and "<li>près de l'entrée</li>" in preview
    # What was typed stays in the form, ready to be sent.
    assert "Des arceaux **solides**" in response.text
    assert db.session.scalar(select(func.count()).select_from(Proposal)) == 0


def test_the_form_has_a_preview_button_and_an_empty_hidden_preview(
    client, round_, create_user, sign_in
):
    sign_in(create_user())
    text = client.get(f"/rounds/{round_.slug}/proposals/new", headers=EN).text

    assert '<button type="submit" name="preview" value="1"' in text
    assert f'data-preview-url="/rounds/{round_.slug}/proposals/preview" hidden>' in text


def test_the_live_preview_answers_sanitised_html(client, round_, create_user, sign_in):
    sign_in(create_user())
    response = client.post(
        f"/rounds/{round_.slug}/proposals/preview",
        data={"body": "**gras** <script>alert(1)</script> [lien](javascript:alert(1))"},
    )

    assert response.status_code == 200
    html = response.get_json()["html"]
    assert "<strong>gras</strong>" in html
    assert "<script" not in html and 'href="javascript' not in html
    assert db.session.scalar(select(func.count()).select_from(Proposal)) == 0


def test_a_visitor_gets_no_preview(client, round_):
    response = client.post(f"/rounds/{round_.slug}/proposals/preview", data={"body": "**x**"})
    assert response.status_code in (302, 401, 403)
