import re

import pytest
from flask import render_template_string
from flask_babel import force_locale
from sqlalchemy import func, select

from participation.extensions import db
from participation.me import services
from participation.models import (
    AuditEntry,
    Comment,
    Proposal,
    Report,
    Support,
    User,
    UserSession,
    utcnow,
)
from tests.conftest import TEST_PASSWORD, open_session


def checkbox(page: str) -> str:
    return re.search(r'<input[^>]*id="confirm"[^>]*>', page).group(0)


def fetch(model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


# --- the service ---------------------------------------------------------------------------


def test_erasure_deletes_personal_data(create_user, create_neighbourhood):
    quarter = create_neighbourhood()
    user = create_user(
        email="anne@example.org",
        display_name="Anne Martin",
        neighbourhood_id=quarter.id,
        locale="en",
        pending_email="anne.new@example.org",
        blocked_reason="Insultes",
    )
    open_session(user)
    services.erase_account(user, TEST_PASSWORD)
    db.session.commit()
    user = fetch(User, user.id)
    assert user.email is None and user.pending_email is None
    assert user.password_hash is None
    assert user.display_name == ""
    assert user.neighbourhood_id is None and user.locale is None
    assert user.blocked_reason is None
    assert user.erased_at is not None
    assert db.session.scalar(select(func.count()).select_from(UserSession)) == 0
    assert not user.is_active
    assert fetch(User, user.id) is not None


def test_contributions_and_reports_stay_without_the_person(
    create_user, create_proposal, create_comment, create_report
):
    user = create_user()
    mine = create_proposal(author=user)
    theirs = create_proposal()
    comment = create_comment(theirs, user)
    report = create_report(user, proposal=theirs)
    services.erase_account(user, TEST_PASSWORD)
    db.session.commit()

    assert fetch(Proposal, mine.id).author_id == user.id
    assert fetch(Comment, comment.id).author_id == user.id
    assert fetch(Report, report.id).reporter_id is None


def test_supports_of_an_open_vote_are_taken_back(
    create_user, create_round, create_pillar, create_proposal, create_support
):
    user = create_user()
    pillar = create_pillar()
    collecting = create_proposal(round=create_round(pillars=[pillar], phase="collecting"))
    voting = create_proposal(round=create_round(pillars=[pillar], phase="voting"))
    kept = create_support(voting, create_user())
    taken_back = [create_support(collecting, user).id, create_support(voting, user).id]
    assert services.supports_withdrawn_by_erasure(user) == 2

    services.erase_account(user, TEST_PASSWORD)
    db.session.commit()

    assert all(fetch(Support, support_id) is None for support_id in taken_back)
    assert fetch(Proposal, collecting.id).support_count == 0
    assert fetch(Proposal, voting.id).support_count == 1
    assert fetch(Support, kept.id) is not None


def test_supports_of_a_closed_vote_stay_counted_anonymously(
    create_user, create_round, create_pillar, create_proposal, create_support
):
    user = create_user()
    pillar = create_pillar()
    decided = create_proposal(round=create_round(pillars=[pillar], phase="deliberation"))
    archived = create_proposal(round=create_round(pillars=[pillar], phase="closed"))
    supports = [create_support(decided, user), create_support(archived, user)]
    assert services.supports_withdrawn_by_erasure(user) == 0

    services.erase_account(user, TEST_PASSWORD)
    db.session.commit()

    for support, proposal in zip(supports, (decided, archived), strict=True):
        kept = fetch(Support, support.id)
        assert kept is not None and kept.user_id is None
        assert fetch(Proposal, proposal.id).support_count == 1
    (entry,) = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "account.erase"))
    assert entry.target_id == user.id and entry.after == {"supports_withdrawn": 0}


def test_wrong_password_erases_nothing(create_user, create_proposal, create_support):
    user = create_user(email="anne@example.org")
    support = create_support(create_proposal(), user)
    with pytest.raises(services.WrongPassword):
        services.erase_account(user, "not my password at all")
    db.session.rollback()
    assert fetch(User, user.id).email == "anne@example.org"
    assert fetch(Support, support.id).user_id == user.id


def test_the_last_administrator_cannot_leave(create_user):
    admin = create_user(role="admin")
    with pytest.raises(services.LastAdminCannotErase):
        services.erase_account(admin, TEST_PASSWORD)
    db.session.rollback()
    assert fetch(User, admin.id).erased_at is None

    create_user(role="admin")
    services.erase_account(fetch(User, admin.id), TEST_PASSWORD)
    db.session.commit()
    assert fetch(User, admin.id).erased_at is not None


def test_an_erased_administrator_does_not_count_as_one(create_user):
    admin = create_user(role="admin")
    create_user(role="admin", erased_at=utcnow())
    with pytest.raises(services.LastAdminCannotErase):
        services.erase_account(admin, TEST_PASSWORD)


def test_display_author_names_erased_accounts_neutrally(create_user):
    user = create_user(display_name="Anne Martin")
    with force_locale("en"):
        assert services.display_author(user) == "Anne Martin"
        assert services.display_author(None) == "Deleted account"
        services.erase_account(user, TEST_PASSWORD)
        assert services.display_author(user) == "Deleted account"
        # Every template can call it.
        assert render_template_string("{{ display_author(u) }}", u=user) == "Deleted account"


# --- the page ------------------------------------------------------------------------------


def test_visitor_is_sent_to_sign_in(client):
    for response in (client.get("/me/erase"), client.post("/me/erase")):
        assert response.status_code == 302
        assert "/sign-in" in response.headers["Location"]


def test_page_explains_what_happens(client, create_user, sign_in):
    sign_in(create_user())
    client.post("/language", data={"locale": "en", "next": "/"})
    page = client.get("/me/erase").text
    assert "<h1>" in page and page.count("<h1") == 1
    assert "Deleted account" in page
    assert "stay counted" in page
    assert "cannot be undone" in page
    assert 'href="/me/data.json"' in page


def test_page_says_how_many_supports_an_erasure_takes_back(
    client, create_user, create_round, create_pillar, create_proposal, create_support, sign_in
):
    user = create_user()
    pillar = create_pillar()
    for phase in ("collecting", "voting", "deliberation"):
        create_support(create_proposal(round=create_round(pillars=[pillar], phase=phase)), user)
    sign_in(user)
    client.post("/language", data={"locale": "en", "next": "/"})
    page = client.get("/me/erase").text
    assert "2 of your supports are in votes that are still open: they are taken back" in page
    assert "Supports given in a vote that is over stay counted" in page


def test_page_says_nothing_is_taken_back_without_an_open_vote(
    client, create_user, create_round, create_pillar, create_proposal, create_support, sign_in
):
    user = create_user()
    create_support(create_proposal(round=create_round(phase="closed")), user)
    sign_in(user)
    client.post("/language", data={"locale": "en", "next": "/"})
    page = client.get("/me/erase").text
    assert "taken back" not in page
    assert "stay counted" in page


def test_erasure_signs_out_every_session(app, client, create_user, sign_in):
    user = create_user(email="anne@example.org")
    other_device = sign_in(user, app.test_client())
    sign_in(user)
    assert other_device.get("/me").status_code == 200

    response = client.post("/me/erase", data={"current_password": TEST_PASSWORD, "confirm": "y"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = client.get("/")
    assert "flash--success" in home.text
    assert fetch(User, user.id).erased_at is not None
    assert client.get("/me").status_code == 302
    assert other_device.get("/me").status_code == 302


def test_the_erased_address_can_sign_up_again(client, create_user, sign_in):
    user = create_user(email="anne@example.org")
    sign_in(user)
    client.post("/me/erase", data={"current_password": TEST_PASSWORD, "confirm": "y"})
    response = client.post(
        "/sign-up",
        data={
            "email": "anne@example.org",
            "display_name": "Anne",
            "password": TEST_PASSWORD,
            "password_confirm": TEST_PASSWORD,
            "neighbourhood_id": "",
        },
    )
    assert response.status_code == 200
    db.session.expire_all()
    (new,) = db.session.scalars(db.select(User).where(User.email == "anne@example.org"))
    assert new.id != user.id and new.erased_at is None


def test_wrong_password_keeps_the_box_ticked_and_erases_nothing(client, create_user, sign_in):
    user = create_user()
    sign_in(user)
    client.post("/language", data={"locale": "en", "next": "/"})
    response = client.post(
        "/me/erase", data={"current_password": "wrong password!", "confirm": "y"}
    )
    assert response.status_code == 400
    assert "The password is not correct." in response.text
    assert 'id="current_password-error"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert "checked" in checkbox(response.text)
    assert fetch(User, user.id).erased_at is None


def test_unticked_box_is_refused_with_a_message(client, create_user, sign_in):
    user = create_user()
    sign_in(user)
    client.post("/language", data={"locale": "en", "next": "/"})
    response = client.post("/me/erase", data={"current_password": TEST_PASSWORD})
    assert response.status_code == 400
    assert 'id="confirm-error"' in response.text
    assert "checked" not in checkbox(response.text)
    assert "Tick this box" in response.text
    assert fetch(User, user.id).erased_at is None


def test_last_administrator_is_told_and_not_erased(client, create_user, sign_in):
    admin = create_user(role="admin")
    sign_in(admin)
    client.post("/language", data={"locale": "en", "next": "/"})
    page = client.get("/me/erase")
    assert "last administrator" in page.text
    assert 'name="current_password"' not in page.text
    response = client.post("/me/erase", data={"current_password": TEST_PASSWORD, "confirm": "y"})
    assert response.status_code == 403
    assert "last administrator" in response.text
    assert fetch(User, admin.id).erased_at is None


def test_erasure_is_rate_limited(app_factory, create_user):
    app = app_factory(RATELIMIT_ENABLED=True)
    client = app.test_client()
    user = create_user()
    with client.session_transaction() as session:
        session["_user_id"] = open_session(user)
    statuses = [
        client.post(
            "/me/erase", data={"current_password": "wrong password!", "confirm": "y"}
        ).status_code
        for _ in range(6)
    ]
    assert statuses[:5] == [400] * 5
    assert statuses[-1] == 429
    assert fetch(User, user.id).erased_at is None


def test_signing_up_again_after_an_erasure_does_not_add_a_support(client, create_proposal, outbox):
    """One address: sign up, support, erase, sign up again, support again, three times over.
    The proposal still has one support, not four."""
    proposal = create_proposal()
    support_url = f"/rounds/{proposal.round.slug}/proposals/{proposal.number}/support"

    def join_and_support():
        client.post(
            "/sign-up",
            data={
                "email": "anne@example.org",
                "display_name": "Anne",
                "password": TEST_PASSWORD,
                "password_confirm": TEST_PASSWORD,
                "neighbourhood_id": "",
            },
        )
        body = outbox()[-1].get_body(preferencelist=("plain",)).get_content()
        confirm = re.search(r"http://localhost(/confirm/\S+)", body).group(1)
        assert client.get(confirm).status_code == 302
        signed_in = client.post(
            "/sign-in", data={"email": "anne@example.org", "password": TEST_PASSWORD}
        )
        assert signed_in.status_code == 302
        assert client.post(support_url).status_code == 302
        assert fetch(Proposal, proposal.id).support_count == 1

    for _ in range(3):
        join_and_support()
        erased = client.post("/me/erase", data={"current_password": TEST_PASSWORD, "confirm": "y"})
        assert erased.status_code == 302
        assert fetch(Proposal, proposal.id).support_count == 0
    join_and_support()

    assert fetch(Proposal, proposal.id).support_count == 1
    supports = db.session.scalars(db.select(Support).where(Support.proposal_id == proposal.id))
    assert len(supports.all()) == 1
    accounts = db.session.scalars(db.select(User).where(User.erased_at.is_not(None))).all()
    assert len(accounts) == 3
