"""Whatever an address, a query string or a form brings (numbers beyond the database's, control
or invisible characters), the answer is a 404, a message, or the input cleaned: never a 500.

Run on SQLite (numbers beyond 2^63) and PostgreSQL (beyond 2^31, and NUL in any text).
"""

import csv
import io
import re

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select
from werkzeug.routing import IntegerConverter, UnicodeConverter

from participation import create_app
from participation.extensions import db
from participation.forms import CONTROL_CHARACTER
from participation.models import (
    AuditEntry,
    Carrier,
    Comment,
    Proposal,
    Report,
    Role,
    User,
    utcnow,
)

from .conftest import make_config

HUGE = (2**31, 2**63 + 1, 10**25)


def control_message() -> str:
    """The refusal of a control character as the English pages of these tests show it."""
    with force_locale("en"):
        return str(CONTROL_CHARACTER)


class _Nowhere:
    def __truediv__(self, _other):
        return "unused"


def _rules(kind: type):
    """Every rule of the URL map with an argument converted by ``kind`` (or a subclass)."""
    app = create_app(make_config("sqlite://", _Nowhere()))
    rows = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint != "static" and any(
            isinstance(c, kind) for c in rule._converters.values()
        ):
            methods = sorted(rule.methods & {"GET", "POST"})
            rows.append(pytest.param(rule.rule, methods, id=rule.rule))
    assert len(rows) > 10, rows
    return rows


def _fill(rule: str, number: str, text: str) -> str:
    """``rule`` with ``number`` for every integer argument and ``text`` for every other one."""
    path = re.sub(r"<int(\([^)]*\))?:[a-z_]+>", number, rule)
    return re.sub(r"<[a-z_]+>", text, path)


@pytest.fixture
def staff_client(app, sign_in, create_user):
    """An administrator, in English."""
    client = sign_in(create_user(Role.ADMIN), app.test_client())
    with client.session_transaction() as session:
        session["locale"] = "en"
    return client


def _english(client):
    with client.session_transaction() as session:
        session["locale"] = "en"
    return client


# --- addresses -------------------------------------------------------------------------------


@pytest.mark.parametrize(("rule", "methods"), _rules(IntegerConverter))
def test_an_id_beyond_the_database_answers_404(staff_client, rule, methods):
    for huge in HUGE:
        path = _fill(rule, str(huge), "concertation")
        for method in methods:
            response = staff_client.open(path, method=method)
            assert response.status_code == 404, (method, path, response.status_code)


@pytest.mark.parametrize(("rule", "methods"), _rules(UnicodeConverter))
def test_a_control_character_in_an_address_answers_404(
    staff_client, create_round, create_proposal, rule, methods
):
    round_ = create_round()
    proposal = create_proposal(round=round_)
    for text in (f"{round_.slug}%00", "a\x00b", "%01", "x%7F"):
        path = _fill(rule, str(proposal.number), text)
        for method in methods:
            response = staff_client.open(path, method=method)
            assert response.status_code == 404, (method, path, response.status_code)


# --- query strings ---------------------------------------------------------------------------

BAD_VALUES = (str(2**31), str(2**63 + 1), "9" * 25, "²", "-1", "\x00", "a\x00b")


@pytest.mark.parametrize("value", BAD_VALUES)
def test_lists_ignore_numbers_and_characters_they_cannot_use(
    staff_client, create_round, create_proposal, create_deliberation, value
):
    round_ = create_round()
    proposal = create_proposal(round=round_)
    create_deliberation()
    lists = {
        f"/rounds/{round_.slug}/proposals/": (
            "page",
            "pillar",
            "neighbourhood",
            "seed",
            "q",
            "status",
            "origin",
            "sort",
        ),
        f"/rounds/{round_.slug}/proposals/{proposal.number}": ("comments_page",),
        "/rounds/": ("page",),
        f"/pillars/{proposal.pillar.slug}": ("page",),
        "/deliberations/": ("pillar",),
        "/deliberations/masterplan": ("page", "pillar", "session", "status", "carrier"),
        "/admin/users": ("page", "q", "role"),
        "/moderation/": ("round", "pillar"),
        "/moderation/users": ("page", "q"),
        "/moderation/audit": ("page", "actor", "action"),
        "/me": ("proposals_page", "supports_page", "comments_page"),
        "/workshops/": ("page",),
    }
    for path, names in lists.items():
        for name in names:
            query = {name: value, "sort": "random"} if name == "seed" else {name: value}
            # A random order without a usable seed is sent to one with a new seed.
            response = staff_client.get(path, query_string=query, follow_redirects=True)
            assert response.status_code in (200, 404), (path, name, response.status_code)
            if name != "pillar" or path != "/deliberations/":  # an unknown pillar's page
                assert response.status_code == 200, (path, name, response.status_code)


def test_a_search_loses_its_control_characters_and_still_finds(
    client, create_round, create_proposal
):
    round_ = create_round()
    create_proposal(round=round_, title="Des jardins partagés")
    create_proposal(round=round_, title="Une navette électrique")
    response = client.get(f"/rounds/{round_.slug}/proposals/", query_string={"q": "jar\x00dins"})
    assert response.status_code == 200
    assert "Des jardins partagés" in response.text
    assert "Une navette électrique" not in response.text


def test_masterplan_download_is_whole_whatever_the_filters(client, create_deliberation):
    for number in range(1, 4):
        create_deliberation(number=number)
    for query in ({"kind": "\x00"}, {"kind": "ci\x00ty"}, {"carrier": "9" * 25}):
        response = client.get("/masterplan/masterplan.csv", query_string=query)
        assert response.status_code == 200, query
        rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
        # The header and every action: the stream went to its end.
        assert len(rows) == 4, (query, rows)


# --- forms -----------------------------------------------------------------------------------


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_proposal_with_a_control_character_is_refused_with_a_message(
    app, sign_in, create_user, create_round, create_pillar
):
    pillar = create_pillar()
    round_ = create_round(pillars=[pillar])
    client = _english(sign_in(create_user(), app.test_client()))
    response = client.post(
        f"/rounds/{round_.slug}/proposals/new",
        data={
            "title": "Des jardins\x00 partagés",
            "body": "Des jardins partagés dans chaque quartier, ouverts à tous.",
            "pillar_id": str(pillar.id),
            "similar_checked": "1",
        },
    )
    assert response.status_code == 400
    assert control_message() in response.text
    assert _count(Proposal) == 0


def test_a_title_loses_its_bidirectional_override(
    app, sign_in, create_user, create_round, create_pillar
):
    pillar = create_pillar()
    round_ = create_round(pillars=[pillar])
    client = sign_in(create_user(), app.test_client())
    response = client.post(
        f"/rounds/{round_.slug}/proposals/new",
        data={
            "title": "\u202eDes jardins\u200b partagés",
            "body": "Des jardins partagés dans chaque quartier, ouverts à tous.",
            "pillar_id": str(pillar.id),
            "similar_checked": "1",
        },
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Proposal.title)) == "Des jardins partagés"


def test_a_comment_with_a_control_character_is_refused_and_a_huge_parent_is_none(
    app, sign_in, create_user, create_proposal
):
    proposal = create_proposal()
    client = _english(sign_in(create_user(), app.test_client()))
    url = f"/proposals/{proposal.id}/comments"
    refused = client.post(url, data={"body": "Bon\x00 commentaire"})
    assert refused.status_code == 400
    assert control_message() in refused.text
    assert _count(Comment) == 0
    for parent_id in (str(2**31), str(2**63 + 1), "9" * 25, "²"):
        response = client.post(url, data={"body": "Une réponse", "parent_id": parent_id})
        assert response.status_code < 500, parent_id
    # No reply points to a comment that cannot exist.
    assert db.session.scalar(select(func.count()).where(Comment.parent_id.is_not(None))) == 0


def test_a_report_with_a_control_character_is_refused(app, sign_in, create_user, create_proposal):
    proposal = create_proposal()
    client = _english(sign_in(create_user(), app.test_client()))
    response = client.post(
        f"/proposals/{proposal.id}/report", data={"reason": "Propos\x00 injurieux ici"}
    )
    assert response.status_code == 400
    assert control_message() in response.text
    assert _count(Report) == 0


def test_a_profile_name_needs_a_visible_letter_and_no_control_character(app, sign_in, create_user):
    user = create_user(display_name="Marie")
    client = _english(sign_in(user, app.test_client()))
    for name, message in (
        ("Ma\x00rie", control_message()),
        ("\u200b\u200b\u200b", "Enter the name to show next to your contributions."),
        ("\u3164\u3164", "The name must contain at least one letter."),
        ("...", "The name must contain at least one letter."),
    ):
        response = client.post("/account/profile", data={"profile-display_name": name})
        assert response.status_code == 400, name
        assert message in response.text, name
    db.session.expire_all()
    assert db.session.get(User, user.id).display_name == "Marie"
    response = client.post("/account/profile", data={"profile-display_name": "\u202eMarie"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).display_name == "Marie"


def test_sign_up_refuses_an_invisible_name(client):
    response = client.post(
        "/sign-up",
        data={
            "email": "zero@example.org",
            "display_name": "\u200b\u200d\u2060",
            "password": "correct horse battery staple",
            "password_confirm": "correct horse battery staple",
        },
        headers={"Accept-Language": "en"},
    )
    assert response.status_code in (200, 400)
    assert "Enter the name to show next to your contributions." in response.text
    assert _count(User) == 0


def test_a_carrier_with_a_control_character_is_refused(staff_client, create_carrier):
    carrier = create_carrier("Association Les Jardins")
    response = staff_client.post(
        f"/masterplan/carriers/{carrier.slug}/edit",
        data={"name": "Association\x00 Les Jardins", "kind": "association"},
    )
    assert response.status_code == 400
    assert control_message() in response.text
    db.session.expire_all()
    assert db.session.get(Carrier, carrier.id).name == "Association Les Jardins"


def test_an_unblocking_note_loses_its_control_characters(staff_client, create_user):
    resident = create_user(blocked_at=utcnow(), blocked_reason="spam")
    response = staff_client.post(
        f"/moderation/users/{resident.id}/unblock", data={"reason": "Erreur\x00 de ma part"}
    )
    assert response.status_code < 500
    db.session.expire_all()
    notes = db.session.scalars(select(AuditEntry.note).where(AuditEntry.action == "user.unblock"))
    assert all("\x00" not in (note or "") for note in notes)
