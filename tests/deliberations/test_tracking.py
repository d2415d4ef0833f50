"""Masterplan tracking: status, carrier and dated progress notes; audit and authors' e-mails."""

from datetime import date
from html import unescape

import pytest

from participation.deliberations import tracking
from participation.errors import NotAllowed
from participation.extensions import db
from participation.models import MasterplanStatus, ProgressNote

from .conftest import EN, audit_entries, input_value


def authors(deliberation) -> list[str]:
    return sorted(p.author.email for p in deliberation.proposals)


def test_status_change_is_audited_and_mailed_to_each_author(promoted, moderator, outbox):
    before = len(outbox())
    tracking.update_tracking(
        promoted, moderator, MasterplanStatus.IN_PROGRESS, "Association Les Jardins d'Émile"
    )
    db.session.commit()

    (entry,) = audit_entries("deliberation.tracking")
    assert (entry.actor_id, entry.target_type, entry.target_id) == (
        moderator.id,
        "deliberations",
        promoted.id,
    )
    assert entry.before == {"masterplan_status": "project", "carrier": "Ville de Béthune"}
    assert entry.after == {
        "masterplan_status": "in_progress",
        "carrier": "Association Les Jardins d'Émile",
    }
    mails = outbox()[before:]
    assert sorted(m["To"] for m in mails) == authors(promoted)
    assert {m["Subject"] for m in mails} == {"News of the action your proposal led to"}
    assert "is now: In progress." in mails[0].get_body().get_content()


def test_carrier_alone_is_audited_but_nobody_is_mailed(promoted, moderator, outbox):
    before = len(outbox())
    tracking.update_tracking(promoted, moderator, MasterplanStatus.PROJECT, "Collège Paul-Verlaine")
    db.session.commit()
    assert len(outbox()) == before
    (entry,) = audit_entries("deliberation.tracking")
    assert entry.before["carrier"] == "Ville de Béthune"
    assert entry.after == {"masterplan_status": "project", "carrier": "Collège Paul-Verlaine"}
    # Saving the same values again changes nothing and writes nothing.
    tracking.update_tracking(promoted, moderator, "project", "Collège Paul-Verlaine")
    db.session.commit()
    assert len(audit_entries("deliberation.tracking")) == 1 and len(outbox()) == before


def test_progress_note_without_status_is_audited_and_not_mailed(promoted, moderator, outbox):
    before = len(outbox())
    note = tracking.add_progress_note(
        promoted, moderator, date(2027, 4, 2), "  Le terrain est choisi.  "
    )
    db.session.commit()
    assert (note.body, note.noted_on, note.status, note.author_id) == (
        "Le terrain est choisi.",
        date(2027, 4, 2),
        None,
        moderator.id,
    )
    assert promoted.masterplan_status == "project" and len(outbox()) == before
    (entry,) = audit_entries("deliberation.note")
    assert entry.before == {"masterplan_status": "project"}
    assert entry.after == {"masterplan_status": "project", "note": "Le terrain est choisi."}


def test_progress_note_with_a_new_status_tells_authors_once(promoted, moderator, outbox):
    before = len(outbox())
    tracking.add_progress_note(
        promoted, moderator, date(2027, 5, 3), "Premiers arbres plantés", MasterplanStatus.DONE
    )
    db.session.commit()
    assert promoted.masterplan_status == "done"
    assert sorted(m["To"] for m in outbox()[before:]) == authors(promoted)
    (entry,) = audit_entries("deliberation.note")
    assert (entry.before, entry.after["masterplan_status"]) == (
        {"masterplan_status": "project"},
        "done",
    )
    # A later note that repeats the status is news on the page, not a change: no mail.
    tracking.add_progress_note(promoted, moderator, date(2027, 6, 1), "Inauguration", "done")
    db.session.commit()
    assert len(outbox()) == before + 2


def test_authors_who_turned_mails_off_get_nothing(promoted, moderator, outbox):
    quiet, keen = promoted.proposals
    quiet.author.notify_by_email = False
    db.session.commit()
    before = len(outbox())
    tracking.update_tracking(promoted, moderator, MasterplanStatus.IN_PROGRESS, "Ville de Béthune")
    tracking.add_progress_note(promoted, moderator, date(2027, 5, 3), "Fini", MasterplanStatus.DONE)
    db.session.commit()
    assert [m["To"] for m in outbox()[before:]] == [keen.author.email, keen.author.email]


def test_nothing_is_mailed_when_the_change_is_rolled_back(promoted, moderator, outbox):
    before = len(outbox())
    tracking.update_tracking(promoted, moderator, MasterplanStatus.DONE, "Ville de Béthune")
    db.session.rollback()
    assert len(outbox()) == before and promoted.masterplan_status == "project"
    assert audit_entries("deliberation.tracking") == []


def test_2018_deliberations_are_tracked_the_same_way(create_deliberation, moderator, outbox):
    archived = create_deliberation(title="Création de parcours de sport-santé", number=62)
    tracking.update_tracking(archived, moderator, MasterplanStatus.IN_PROGRESS, "Ville de Béthune")
    tracking.add_progress_note(archived, moderator, date(2019, 9, 1), "Deux parcours ouverts")
    db.session.commit()
    assert archived.masterplan_status == "in_progress"
    assert [n.body for n in archived.progress_notes] == ["Deux parcours ouverts"]
    assert len(audit_entries("deliberation.tracking")) == 1 and outbox() == []


def test_only_moderators_track(promoted, create_user):
    for role in ("resident", "facilitator"):
        user = create_user(role=role)
        with pytest.raises(NotAllowed):
            tracking.update_tracking(promoted, user, MasterplanStatus.DONE, "Moi")
        with pytest.raises(NotAllowed):
            tracking.add_progress_note(promoted, user, date(2027, 1, 1), "Pirate")
    with pytest.raises(tracking.NoteEmpty):
        tracking.add_progress_note(promoted, create_user(role="moderator"), date(2027, 1, 1), " ")


# --- through the pages ---------------------------------------------------------------------


def test_tracking_page_shows_the_current_values_and_saves(client, promoted, moderator, sign_in):
    sign_in(moderator)
    page = client.get(f"/deliberations/{promoted.id}/tracking", headers=EN)
    assert page.status_code == 200
    assert "<h1>Update the tracking</h1>" in page.text
    assert '<option selected value="project">Project</option>' in page.text
    assert input_value(page.text, "carrier") == "Ville de Béthune"

    response = client.post(
        f"/deliberations/{promoted.id}/tracking",
        data={"status": "in_progress", "carrier": "École Jules-Ferry"},
        headers=EN,
    )
    assert response.status_code == 302
    assert response.location.endswith(f"/deliberations/{promoted.id}")
    db.session.refresh(promoted)
    assert (promoted.masterplan_status, promoted.carrier) == ("in_progress", "École Jules-Ferry")
    assert "The tracking is updated." in client.get(response.location, headers=EN).text


def test_tracking_errors_keep_what_was_typed(client, promoted, moderator, sign_in):
    sign_in(moderator)
    response = client.post(
        f"/deliberations/{promoted.id}/tracking",
        data={"status": "abandoned", "carrier": "Association Vélo Béthune"},
        headers=EN,
    )
    assert response.status_code == 400
    assert input_value(response.text, "carrier") == "Association Vélo Béthune"
    assert 'id="tracking-status-error"' in response.text
    response = client.post(
        f"/deliberations/{promoted.id}/tracking",
        data={"status": "done", "carrier": "  "},
        headers=EN,
    )
    assert response.status_code == 400 and "Say who carries the action." in response.text
    db.session.refresh(promoted)
    assert (promoted.masterplan_status, promoted.carrier) == ("project", "Ville de Béthune")


def test_note_form_publishes_a_dated_note(client, promoted, moderator, sign_in, outbox):
    sign_in(moderator)
    before = len(outbox())
    response = client.post(
        f"/deliberations/{promoted.id}/notes",
        data={"noted_on": "2027-06-01", "body": "Inauguration du verger", "status": "done"},
        headers=EN,
    )
    assert response.status_code == 302 and response.location.endswith("#progress-title")
    detail = client.get(f"/deliberations/{promoted.id}", headers=EN).text
    assert "The progress note is published." in detail
    assert '<time datetime="2027-06-01">June 1, 2027</time>' in detail
    assert "Inauguration du verger" in detail
    assert len(outbox()) == before + 2


def test_note_errors_re_render_the_page_with_what_was_typed(client, promoted, moderator, sign_in):
    sign_in(moderator)
    response = client.post(
        f"/deliberations/{promoted.id}/notes",
        data={"noted_on": "2027-06-01", "body": "", "status": "done"},
        headers=EN,
    )
    text = unescape(response.text)
    assert response.status_code == 400
    assert "Write what has happened." in text
    assert input_value(text, "noted_on") == "2027-06-01"
    assert '<option selected value="done">Done</option>' in text
    assert db.session.scalar(db.select(db.func.count()).select_from(ProgressNote)) == 0
