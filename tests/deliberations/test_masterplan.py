import csv
import io
from datetime import date

import pytest

from participation.deliberations import promotion, tracking
from participation.errors import NotAllowed
from participation.extensions import db
from participation.models import (
    AuditEntry,
    Deliberation,
    MasterplanStatus,
    ProgressNote,
    ProposalStatus,
)
from participation.moderation import services as moderation


@pytest.fixture
def moderator(create_user):
    return create_user(role="moderator")


@pytest.fixture
def promoted(create_proposal, moderator):
    """A deliberation promoted from two retained proposals."""
    first = create_proposal(title="Des vergers")
    second = create_proposal(round=first.round, title="Des arbres fruitiers")
    for p in (first, second):
        moderation.decide(p, moderator, ProposalStatus.RETAINED, "Oui")
    session = promotion.create_council_session(
        moderator, date(2027, 2, 1), "Conseil municipal", first.round_id
    )
    deliberation = promotion.promote(
        [first, second],
        moderator,
        promotion.DeliberationInput(
            session.id,
            1,
            first.pillar_id,
            "Un verger dans chaque école",
            carrier="Ville de Béthune",
        ),
    )
    db.session.commit()
    return deliberation


def test_status_change_is_audited_and_told_to_authors_once(promoted, moderator, outbox):
    before = len(outbox())
    tracking.update_tracking(
        promoted, moderator, MasterplanStatus.IN_PROGRESS, "Association Les Jardins"
    )
    db.session.commit()
    mails = outbox()[before:]
    assert sorted(m["To"] for m in mails) == sorted(p.author.email for p in promoted.proposals)
    entry = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.action == "deliberation.tracking")
    ).one()
    assert entry.before == {"masterplan_status": "project", "carrier": "Ville de Béthune"}
    assert entry.after == {"masterplan_status": "in_progress", "carrier": "Association Les Jardins"}
    # Same status again: the carrier may change, nobody is mailed.
    tracking.update_tracking(promoted, moderator, MasterplanStatus.IN_PROGRESS, "École Jules-Ferry")
    db.session.commit()
    assert len(outbox()) == before + 2


def test_progress_note_may_change_the_status(promoted, moderator, create_user, outbox):
    promoted.proposals[0].author.notify_by_email = False
    db.session.commit()
    before = len(outbox())
    tracking.add_progress_note(
        promoted, moderator, date(2027, 5, 3), "Premiers arbres plantés", MasterplanStatus.DONE
    )
    db.session.commit()
    assert promoted.masterplan_status == "done"
    assert [m["To"] for m in outbox()[before:]] == [promoted.proposals[1].author.email]
    with pytest.raises(tracking.NoteEmpty):
        tracking.add_progress_note(promoted, moderator, date(2027, 5, 3), "  ")
    with pytest.raises(NotAllowed):
        tracking.add_progress_note(promoted, create_user(), date(2027, 5, 3), "Pirate")


def test_proposal_page_shows_the_whole_way(client, promoted, moderator):
    tracking.add_progress_note(
        promoted,
        moderator,
        date(2027, 5, 3),
        "Premiers arbres plantés",
        MasterplanStatus.IN_PROGRESS,
    )
    db.session.commit()
    proposal = promoted.proposals[0]
    page = client.get(
        f"/rounds/{proposal.round.slug}/proposals/{proposal.number}",
        headers={"Accept-Language": "en"},
    ).text
    assert "Un verger dans chaque école" in page
    assert "Premiers arbres plantés" in page
    assert f"/deliberations/{promoted.id}" in page
    detail = client.get(f"/deliberations/{promoted.id}", headers={"Accept-Language": "en"}).text
    assert proposal.title in detail and "Premiers arbres plantés" in detail


def test_promotion_through_the_page(client, create_proposal, moderator, sign_in):
    proposal = create_proposal(title="Des vergers partagés")
    moderation.decide(proposal, moderator, ProposalStatus.RETAINED, "Oui")
    promotion.create_council_session(moderator, date(2027, 2, 1), "Conseil municipal", None)
    db.session.commit()
    other_moderator = moderator
    sign_in(other_moderator)
    page = client.get("/deliberations/promote")
    assert page.status_code == 200 and proposal.title in page.text
    session_id = db.session.scalar(
        db.select(db.func.max(db.text("id"))).select_from(db.text("council_sessions"))
    )
    form = {
        "proposal_ids": [proposal.id],
        "council_session_id": session_id,
        "number": 1,
        "pillar_id": proposal.pillar_id,
        "title": "",
        "carrier": "Ville de Béthune",
    }
    response = client.post("/deliberations/promote", data=form)
    assert response.status_code == 400  # no title: nothing saved, the choice is kept
    assert f'value="{proposal.id}" checked' in response.text
    form["title"] = "Une délibération d'essai"
    response = client.post("/deliberations/promote", data=form)
    assert response.status_code == 302
    db.session.refresh(proposal)
    assert (
        proposal.status == "promoted" and proposal.deliberation.title == "Une délibération d'essai"
    )


def test_tracking_forms_through_the_page(client, promoted, moderator, sign_in):
    sign_in(moderator)
    response = client.post(
        f"/deliberations/{promoted.id}/tracking", data={"status": "done", "carrier": ""}
    )
    assert response.status_code == 400
    client.post(
        f"/deliberations/{promoted.id}/tracking",
        data={"status": "done", "carrier": "Collège Paul-Verlaine"},
    )
    client.post(
        f"/deliberations/{promoted.id}/notes",
        data={"noted_on": "2027-06-01", "body": "Inauguration", "status": ""},
    )
    db.session.refresh(promoted)
    assert (promoted.masterplan_status, promoted.carrier) == ("done", "Collège Paul-Verlaine")
    assert [n.body for n in promoted.progress_notes] == ["Inauguration"]


@pytest.mark.parametrize("role", ["resident", "facilitator"])
def test_moderator_routes_are_forbidden_to_residents_and_facilitators(
    client, create_user, sign_in, role, promoted
):
    sign_in(create_user(role=role))
    for method, url in (
        ("GET", "/deliberations/sessions/new"),
        ("POST", "/deliberations/sessions/new"),
        ("GET", "/deliberations/promote"),
        ("POST", "/deliberations/promote"),
        ("POST", f"/deliberations/{promoted.id}/tracking"),
        ("POST", f"/deliberations/{promoted.id}/notes"),
    ):
        assert client.open(url, method=method).status_code == 403, url
    assert (
        "Update the tracking"
        not in client.get(f"/deliberations/{promoted.id}", headers={"Accept-Language": "en"}).text
    )


def test_masterplan_filters_and_counts(client, create_deliberation, create_pillar):
    pillar = create_pillar()
    create_deliberation(
        pillar=pillar, title="Action A", masterplan_status="done", carrier="Ville de Béthune"
    )
    create_deliberation(
        pillar=pillar, title="Action B", masterplan_status="in_progress", carrier="Association X"
    )
    create_deliberation(
        title="Action C", masterplan_status="in_progress", carrier="Ville de Béthune"
    )
    page = client.get(
        f"/deliberations/masterplan?pillar={pillar.id}", headers={"Accept-Language": "en"}
    ).text
    assert "Action A" in page and "Action B" in page and "Action C" not in page
    assert "2 actions" in page
    page = client.get(
        "/deliberations/masterplan?status=in_progress&carrier=Ville+de+B%C3%A9thune",
        headers={"Accept-Language": "en"},
    ).text
    assert "Action C" in page and "Action A" not in page and "Action B" not in page


def test_csv_downloads_parse_with_accents_and_filters(client, create_deliberation, create_pillar):
    pillar = create_pillar(name_fr="Santé / Bien-être")
    d = create_deliberation(
        pillar=pillar, title="Création de parcours sport-santé", masterplan_status="done"
    )
    create_deliberation(title="Autre action")
    response = client.get(
        f"/deliberations/masterplan.csv?pillar={pillar.id}", headers={"Accept-Language": "fr"}
    )
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][0] == "Numéro"
    assert len(rows) == 2
    assert rows[1][0] == str(d.number) and rows[1][3] == "Création de parcours sport-santé"
    assert rows[1][4] == "Réalisé" and rows[1][5] == "done"
    full = client.get("/deliberations/deliberations.csv").data.decode("utf-8")
    assert len(list(csv.reader(io.StringIO(full.lstrip("\ufeff")), delimiter=";"))) == 3


def test_masterplan_query_count_does_not_grow(
    client, create_deliberation, create_pillar, assert_page_queries
):
    pillar = create_pillar()
    for _ in range(10):
        create_deliberation(pillar=pillar)
    few = assert_page_queries("/deliberations/masterplan", 8)
    rows = [
        Deliberation(
            council_session_id=db.session.scalar(
                db.select(Deliberation.council_session_id).limit(1)
            ),
            number=900_000 + i,
            pillar_id=pillar.id,
            title=f"Action {i}",
        )
        for i in range(490)
    ]
    db.session.add_all(rows)
    db.session.flush()
    db.session.add_all(
        [
            ProgressNote(deliberation_id=r.id, noted_on=date(2027, 1, 1), body="Note")
            for r in rows[:200]
        ]
    )
    db.session.commit()
    assert assert_page_queries("/deliberations/masterplan", 8) == few
    assert assert_page_queries("/deliberations/masterplan?page=5", 8) == few
