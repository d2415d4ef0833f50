"""The sample content of a fresh install: neighbourhoods and the open "Béthune à 2032" round."""

from datetime import timedelta

from sqlalchemy import func, select

from participation.extensions import db
from participation.history import sample
from participation.history.sample import load_sample_content
from participation.history.services import import_smart_days_2018
from participation.models import Neighbourhood, Pillar, Round, RoundPhase, utcnow


def sample_round() -> Round:
    return db.session.scalar(select(Round).where(Round.slug == "bethune-a-2032"))


def test_load_creates_the_neighbourhoods_and_an_open_sample_round(app):
    report = load_sample_content()
    db.session.commit()

    names = db.session.scalars(select(Neighbourhood.name).order_by(Neighbourhood.position)).all()
    assert len(names) == 8
    assert {"Centre-ville", "Catorive", "Mont-Liébaut", "Saint-Pry", "Le Vertbois"} <= set(names)
    assert report.created["neighbourhoods"] == 8 and report.created["rounds"] == 1

    round_ = sample_round()
    assert round_.title == "Béthune à 2032"
    assert round_.is_sample
    assert round_.phase is RoundPhase.COLLECTING
    now = utcnow()
    assert now - timedelta(weeks=5) < round_.collect_starts_at < now - timedelta(weeks=2)
    assert round_.collect_ends_at > now + timedelta(days=60)
    assert round_.collect_ends_at < round_.vote_starts_at < round_.vote_ends_at
    assert round_.vote_ends_at < round_.deliberation_ends_at
    assert round_.phase_at(round_.vote_starts_at) is RoundPhase.VOTING
    assert round_.phase_at(round_.vote_ends_at) is RoundPhase.DELIBERATION
    assert round_.summary.startswith("Contenu d'exemple")
    assert "n'est pas une consultation réelle" in round_.description
    assert "« Béthune à 2032 »" in round_.description


def test_sample_round_covers_the_seven_pillars_even_before_the_2018_import(app):
    load_sample_content()
    db.session.commit()

    assert len(sample_round().pillars) == 7
    assert sample_round().pillars[0].slug == "habitat-environnement"
    # They are the brochure's pillars: the import later finds nothing to change in them.
    report = import_smart_days_2018()
    db.session.commit()
    assert report.unchanged["pillars"] == 7
    assert db.session.scalar(select(func.count()).select_from(Pillar)) == 7


def test_sample_round_uses_the_imported_pillars(app):
    import_smart_days_2018()
    db.session.commit()

    report = load_sample_content()
    db.session.commit()

    assert report.created["pillars"] == 0
    assert db.session.scalar(select(func.count()).select_from(Pillar)) == 7
    assert [p.position for p in sample_round().pillars] == [1, 2, 3, 4, 5, 6, 7]


def test_loading_again_changes_nothing_not_even_the_calendar(app, table_snapshot, monkeypatch):
    load_sample_content()
    db.session.commit()
    before = table_snapshot()
    later = utcnow() + timedelta(days=40)
    monkeypatch.setattr(sample, "utcnow", lambda: later)

    report = load_sample_content()
    db.session.commit()

    assert table_snapshot() == before
    assert not report.changed


def test_loading_again_keeps_the_administrators_edits(app):
    load_sample_content()
    db.session.commit()
    saint_pry = db.session.scalar(select(Neighbourhood).where(Neighbourhood.slug == "saint-pry"))
    saint_pry.name = "Saint-Pry – Les Quatre Vents"
    catorive = db.session.scalar(select(Neighbourhood).where(Neighbourhood.slug == "catorive"))
    catorive.slug = "quartier-catorive"
    sample_round().title = "Béthune à 2032 (démonstration)"
    db.session.commit()

    load_sample_content()
    db.session.commit()

    assert db.session.scalar(select(func.count()).select_from(Neighbourhood)) == 8
    assert saint_pry.name == "Saint-Pry – Les Quatre Vents"
    assert sample_round().title == "Béthune à 2032 (démonstration)"


def test_command_loads_once(app, runner, table_snapshot):
    result = runner.invoke(args=["sample", "load"])

    assert result.exit_code == 0, result.output
    assert "neighbourhoods: 8 created" in result.output
    before = table_snapshot()
    again = runner.invoke(args=["sample", "load"])
    assert again.exit_code == 0, again.output
    assert "Nothing to change" in again.output
    assert table_snapshot() == before


def test_sample_round_is_marked_as_sample_on_its_page_and_at_home(app, client):
    load_sample_content()
    db.session.commit()

    page = client.get("/rounds/bethune-a-2032", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Sample content" in text
    assert "It is not a real consultation." in text
    assert "Contenu d'exemple : cette concertation montre" in text

    home = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Béthune à 2032" in home and "Sample content" in home


def test_sample_round_comes_with_sample_proposals_supports_and_comments(app):
    from participation.models import Comment, Proposal, Support, User

    load_sample_content()
    db.session.commit()
    proposals = db.session.scalars(db.select(Proposal).order_by(Proposal.number)).all()
    assert len(proposals) == 7 and all(p.is_sample for p in proposals)
    assert proposals[0].support_count == 4
    assert sum(p.support_count for p in proposals) == db.session.scalar(
        db.select(db.func.count()).select_from(Support)
    )
    assert (
        proposals[-1].status == "retained" and "Exemple de réponse" in proposals[-1].decision_reason
    )
    assert db.session.scalar(db.select(db.func.count()).select_from(Comment)) == 4
    # Nobody can sign in as a sample resident.
    assert all(
        u.email is None and u.password_hash is None for u in db.session.scalars(db.select(User))
    )
    load_sample_content()
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count()).select_from(Proposal)) == 7


def test_the_masterplan_shows_sample_partner_actions_of_every_kind(app, client):
    from participation.models import Action, Carrier, CarrierKind

    load_sample_content()
    db.session.commit()
    carriers = db.session.scalars(select(Carrier).where(Carrier.is_sample)).all()
    assert {c.kind for c in carriers} == set(CarrierKind) - {CarrierKind.CITY}
    actions = db.session.scalars(select(Action).where(Action.is_sample)).all()
    assert actions and all(a.is_published and a.carrier.is_sample for a in actions)
    text = client.get("/masterplan/", headers={"Accept-Language": "fr"}).text
    assert "Repair Café du Mont-Liébaut (exemple)" in text and "Exemple" in text
