"""The moderator's home keeps its queues' rows rendered (``fragments.py``) under a key made of all
they show (``moderation.queues.Queue.key``): the page must be the same HTML as when rendered
afresh, in both languages, and a change to a row must show at once."""

import re

import pytest
from sqlalchemy import select

from participation.extensions import db
from participation.models import Report, Role, utcnow
from participation.moderation.reports import HIDDEN_BY_REPORTS
from participation.proposals.supports import support


def without_tokens(html: str) -> str:
    """The page without its CSRF tokens, which are the session's and differ by client."""
    return re.sub(r'(name="csrf_token"[^>]*value=")[^"]*"', r"\1", html)


@pytest.fixture
def queues(
    create_round,
    create_pillar,
    create_proposal,
    create_comment,
    create_report,
    create_user,
    propose_change,
):
    """A proposal in each queue: awaiting publication, a change, reports on a proposal and a
    comment, a decision."""
    pillar = create_pillar("Mobilité", name_en="Mobility")
    round_ = create_round(title="Béthune 2032", pillars=[pillar], premoderation=True)
    to_publish = create_proposal(round_, title="Des arceaux à vélo", status="submitted")
    to_decide = create_proposal(round_, title="Une navette vers la gare", support_count=12)
    changed = create_proposal(round_, title="Des bancs au parc")
    propose_change(changed, "Des bancs et des fontaines")
    comment = create_comment(to_decide, body="Un commentaire hors sujet")
    reporter = create_user()
    create_report(reporter, proposal=to_decide, reason="Doublon évident")
    create_report(reporter, comment=comment, reason="Propos déplacés")
    db.session.commit()
    return round_, pillar, to_publish, to_decide, changed, comment


@pytest.fixture
def moderator(create_user):
    return create_user(role=Role.MODERATOR)


def test_the_kept_rows_are_the_rows_rendered_afresh(app, app_factory, sign_in, queues, moderator):
    afresh = app_factory(FRAGMENT_CACHE_SIZE=0)
    for language in ("fr", "en"):
        pages = []
        for application in (app, afresh):
            client = application.test_client()
            client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
            sign_in(moderator, client)
            # The first request renders and keeps the rows, the second is given them.
            pages += [without_tokens(client.get("/moderation/").text) for _ in range(2)]
        kept, again, fresh, fresh_again = pages
        assert fresh == fresh_again
        assert kept == fresh and again == fresh
        for shown in ("Des arceaux à vélo", "Une navette vers la gare", "Des bancs au parc"):
            assert shown in fresh
        assert "Doublon évident" in fresh and "Un commentaire hors sujet" in fresh


def test_the_rows_are_kept_and_not_rendered_again(client, sign_in, queues, moderator, monkeypatch):
    from participation.fragments import fragments

    stored: list[str] = []
    keep = fragments.set

    def recording(name, html, *args, **kwargs):
        stored.append(html)
        return keep(name, html, *args, **kwargs)

    monkeypatch.setattr(fragments, "set", recording)
    sign_in(moderator)
    client.get("/moderation/")
    rows = [html for html in stored if "<tr>" in html]
    assert any("Des arceaux à vélo" in html for html in rows)  # awaiting publication
    assert any("Une navette vers la gare" in html for html in rows)  # awaiting a decision
    assert any("#change" in html and "Des bancs au parc" in html for html in rows)
    assert any('class="report-list"' in html and "Doublon évident" in html for html in stored)

    stored.clear()
    assert "Des arceaux à vélo" in client.get("/moderation/").text
    assert stored == []


def test_what_changes_on_a_row_shows_at_once(
    client, sign_in, queues, moderator, create_report, create_user
):
    round_, pillar, to_publish, to_decide, changed, comment = queues
    sign_in(moderator)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"

    def home() -> str:
        return client.get("/moderation/").text

    assert "Des arceaux à vélo" in home()
    to_publish.title = "Des arceaux pour les vélos cargos"
    db.session.commit()
    assert "Des arceaux pour les vélos cargos" in home()

    to_decide.paper_support_count = 7
    db.session.commit()
    assert "12 · 7" in home()

    support(to_decide, create_user())
    db.session.commit()
    assert "13 · 7" in home()

    pillar.name_fr = "Se déplacer"
    db.session.commit()
    assert home().count("<td>Se déplacer</td>") == 4  # publication, change, two decisions

    round_.title = "Béthune demain"
    db.session.commit()
    assert home().count("<td>Béthune demain</td>") == 4

    changed.revision.created_at = changed.revision.created_at.replace(year=2030)
    db.session.commit()
    assert 'datetime="2030-' in home()

    create_report(create_user(), comment=comment, reason="Insultant")
    db.session.commit()
    page = home()
    assert "2 signalements" in page and "Insultant" in page

    first = report_on(to_decide)
    first.reason = "Doublon de P-1"
    db.session.commit()
    assert "Doublon de P-1" in home()

    comment.hidden_at, comment.hidden_reason = utcnow(), HIDDEN_BY_REPORTS
    db.session.commit()
    assert "Masqué automatiquement" in home()

    comment.body = "Un commentaire corrigé"
    db.session.commit()
    assert "Un commentaire corrigé" in home()


def report_on(proposal) -> Report:
    return db.session.scalars(select(Report).where(Report.proposal_id == proposal.id)).one()
