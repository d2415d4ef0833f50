"""An action's tracking: one control for status, carrier, dates and percentage; dated progress
notes; the audit log and the authors' e-mails."""

from datetime import date

import pytest

from participation.errors import NotAllowed
from participation.extensions import db
from participation.masterplan import tracking
from participation.masterplan.tracking import DatesOutOfOrder, NoteEmpty, TrackingInput
from participation.models import MasterplanStatus

from .conftest import audit_entries


def authors(deliberation) -> list[str]:
    return sorted(p.author.email for p in deliberation.proposals)


def test_status_change_is_audited_and_mailed_to_each_author(promoted, moderator, outbox, garden):
    action = promoted.action
    before = len(outbox())
    tracking.update_tracking(
        action,
        moderator,
        TrackingInput(
            MasterplanStatus.IN_PROGRESS,
            garden.id,
            planned_on=date(2027, 3, 1),
            started_on=date(2027, 4, 1),
            percent=30,
        ),
    )
    db.session.commit()

    (entry,) = audit_entries("action.tracking")
    assert (entry.actor_id, entry.target_type, entry.target_id) == (
        moderator.id,
        "actions",
        action.id,
    )
    assert entry.before["masterplan_status"] == "project"
    assert entry.before["carrier"] == "Ville de Béthune"
    assert entry.after == {
        "masterplan_status": "in_progress",
        "carrier": "Les Jardins d'Émile",
        "planned_on": "2027-03-01",
        "started_on": "2027-04-01",
        "done_on": None,
        "percent": 30,
    }
    mails = outbox()[before:]
    assert sorted(m["To"] for m in mails) == authors(promoted)
    assert "is now: In progress." in mails[0].get_body().get_content()


def test_same_values_again_write_nothing_and_carrier_alone_mails_nobody(
    promoted, moderator, outbox, garden
):
    action = promoted.action
    before = len(outbox())
    tracking.update_tracking(action, moderator, TrackingInput("project", garden.id))
    tracking.update_tracking(action, moderator, TrackingInput("project", garden.id))
    db.session.commit()
    assert len(audit_entries("action.tracking")) == 1 and len(outbox()) == before


def test_done_before_started_is_refused(promoted, moderator):
    with pytest.raises(DatesOutOfOrder):
        tracking.update_tracking(
            promoted.action,
            moderator,
            TrackingInput(
                "done",
                promoted.action.carrier_id,
                started_on=date(2027, 5, 1),
                done_on=date(2027, 4, 1),
            ),
        )


def test_progress_note_is_audited_and_changes_no_status(promoted, moderator, outbox):
    action = promoted.action
    before = len(outbox())
    note = tracking.add_progress_note(action, moderator, date(2027, 4, 2), "  Terrain choisi.  ")
    db.session.commit()
    assert (note.body, note.noted_on, note.status, note.author_id) == (
        "Terrain choisi.",
        date(2027, 4, 2),
        None,
        moderator.id,
    )
    assert action.status == "project" and len(outbox()) == before
    (entry,) = audit_entries("action.note")
    assert entry.after == {"noted_on": "2027-04-02", "note": "Terrain choisi."}
    with pytest.raises(NoteEmpty):
        tracking.add_progress_note(action, moderator, date(2027, 4, 2), "   ")


def test_nothing_is_mailed_when_the_change_is_rolled_back(promoted, moderator, outbox):
    before = len(outbox())
    tracking.update_tracking(
        promoted.action, moderator, TrackingInput("done", promoted.action.carrier_id)
    )
    db.session.rollback()
    assert len(outbox()) == before and promoted.action.status == "project"
    assert audit_entries("action.tracking") == []


def test_2018_deliberations_are_tracked_the_same_way(create_deliberation, moderator, outbox):
    archived = create_deliberation(title="Création de parcours de sport-santé", number=62)
    action = archived.action
    tracking.update_tracking(action, moderator, TrackingInput("in_progress", action.carrier_id))
    tracking.add_progress_note(action, moderator, date(2019, 9, 1), "Deux parcours ouverts")
    db.session.commit()
    assert action.status == "in_progress"
    assert [n.body for n in action.progress_notes] == ["Deux parcours ouverts"]
    assert len(audit_entries("action.tracking")) == 1 and outbox() == []


def test_only_the_city_tracks(promoted, create_user):
    action = promoted.action
    for role in ("resident", "facilitator"):
        user = create_user(role=role)
        with pytest.raises(NotAllowed):
            tracking.update_tracking(action, user, TrackingInput("done", action.carrier_id))
        with pytest.raises(NotAllowed):
            tracking.add_progress_note(action, user, date(2027, 1, 1), "Pirate")
    assert action.status == "project" and action.progress_notes == []


def test_one_status_control_on_the_action_page(client, promoted, moderator, sign_in):
    """The deliberation page had two forms that both changed the status; now one control."""
    sign_in(moderator)
    text = client.get(f"/masterplan/actions/{promoted.action.id}").text
    assert text.count('name="status"') == 1 and text.count('id="status"') == 1
    ids = __import__("re").findall(r'\sid="([^"]+)"', text)
    assert len(ids) == len(set(ids))
    response = client.post(
        f"/masterplan/actions/{promoted.action.id}/notes",
        data={"noted_on": "2027-06-01", "body": "Inauguration", "status": "done"},
    )
    assert response.status_code == 302
    db.session.refresh(promoted.action)
    assert promoted.action.status == "project"  # a note never changes the status
    response = client.post(
        f"/masterplan/actions/{promoted.action.id}/tracking",
        data={"status": "done", "carrier_id": promoted.action.carrier_id, "percent": "100"},
    )
    assert response.status_code == 302
    db.session.refresh(promoted.action)
    assert (promoted.action.status, promoted.action.percent) == ("done", 100)


def test_tracking_errors_are_shown_beside_the_fields(client, promoted, moderator, sign_in):
    sign_in(moderator)
    response = client.post(
        f"/masterplan/actions/{promoted.action.id}/tracking",
        data={"status": "done", "carrier_id": promoted.action.carrier_id, "percent": "140"},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400
    assert "From 0 to 100." in response.text and "Error:" in response.text
