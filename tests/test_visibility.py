"""One definition of "publicly visible": what the public may not see leaves through no API answer,
no file of the open-data zip, no statistic, no pillar page and not the home page.

The world is made through the services moderators and residents use: a proposal hidden by a
moderator, one still awaiting moderation, a comment hidden and one deleted, and a proposal
retained, promoted into a framework deliberation and then hidden.
"""

import csv
import io
import json
import re
import zipfile
from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from participation.comments.services import add_comment
from participation.deliberations.promotion import (
    DeliberationInput,
    create_council_session,
    promote,
)
from participation.extensions import db
from participation.models import Comment, PaperSupport, ProposalStatus, Workshop, utcnow
from participation.moderation.reports import hide
from participation.proposals import state
from participation.proposals.supports import support

API = "/api/v1"


@dataclass
class World:
    round: object
    pillar: object
    shown: object
    deliberation: object
    workshop: object
    # Proposals the public must not see, and every string that would betray one of them or a
    # withdrawn comment.
    unseen: list
    secrets: list


@pytest.fixture
def world(app, create_user, create_pillar, create_round, create_proposal):
    pillar = create_pillar("Mobilité / Transports", name_en="Mobility / Transport")
    round_ = create_round(phase="voting", pillars=[pillar])
    moderator = create_user("moderator")
    author, resident, supporter = create_user(), create_user(), create_user()
    now = utcnow()
    workshop = Workshop(
        round=round_,
        title="Atelier de la gare",
        starts_at=now - timedelta(days=3),
        ends_at=now - timedelta(days=3, hours=-2),
        place="Salle des fêtes",
        attendance=20,
    )
    db.session.add(workshop)
    db.session.commit()

    def proposal(title, **fields):
        return create_proposal(
            round_, author=author, title=title, body=f"{title}, le texte.", **fields
        )

    shown = proposal("Une navette publique")
    hidden = proposal("SECRET-HIDDEN-TITLE")
    submitted = proposal("SECRET-SUBMITTED-TITLE", status="submitted")
    promoted = proposal("SECRET-PROMOTED-TITLE")

    for item in (shown, hidden, promoted):
        support(item, supporter)
    # Someone who supported nothing the public sees: not a public contributor.
    support(hidden, create_user())
    db.session.add_all(
        [
            PaperSupport(workshop=workshop, proposal=shown, count=2, sheet_count=2),
            PaperSupport(workshop=workshop, proposal=hidden, count=7, sheet_count=7),
        ]
    )
    shown.paper_support_count, hidden.paper_support_count = 2, 7
    add_comment(shown, resident, "Un commentaire public")
    hidden_comment = add_comment(shown, resident, "SECRET-HIDDEN-COMMENT")
    add_comment(hidden, resident, "SECRET-COMMENT-ON-HIDDEN")
    add_comment(promoted, resident, "SECRET-COMMENT-ON-PROMOTED")
    # The service erases a deleted comment's text; the row keeps it here, so that nothing but
    # the rule of visibility stands between it and the public.
    db.session.add(
        Comment(
            proposal=shown,
            author=resident,
            body="SECRET-DELETED-COMMENT",
            body_html="SECRET-DELETED-COMMENT",
            deleted_at=now,
        )
    )
    hide(hidden_comment, moderator, "Propos injurieux")
    hide(hidden, moderator, "Hors charte")

    state.transition(promoted, ProposalStatus.RETAINED, moderator, "La ville la retient.")
    session = create_council_session(moderator, date(2033, 1, 15), "Conseil", round_.id)
    deliberation = promote(
        [promoted],
        moderator,
        DeliberationInput(session.id, 1, pillar.id, "Des navettes électriques"),
    )
    hide(promoted, moderator, "Données personnelles")
    db.session.commit()

    unseen = [hidden, submitted, promoted]
    secrets = [
        "SECRET-HIDDEN-COMMENT",
        "SECRET-DELETED-COMMENT",
        "SECRET-COMMENT-ON-HIDDEN",
        "SECRET-COMMENT-ON-PROMOTED",
    ]
    for item in unseen:
        secrets += [item.title, item.body]
    return World(round_, pillar, shown, deliberation, workshop, unseen, secrets)


def leaks(world: World, text: str) -> list[str]:
    """The secrets and the codes of unseen proposals found in ``text``."""
    found = [secret for secret in world.secrets if secret in text]
    found += [p.code for p in world.unseen if re.search(rf"\b{p.code}\b", text)]
    return found


def walk(client, url: str) -> list[dict]:
    items = []
    while url:
        data = client.get(url).get_json()
        items += data["items"]
        url = data["links"]["next"]
    return items


def test_the_api_answers_nothing_of_them(client, world):
    answers = []

    def get(url, status=200):
        response = client.get(url)
        assert response.status_code == status, url
        answers.append(json.dumps(response.get_json(), ensure_ascii=False))
        return response.get_json()

    slug = world.round.slug
    for url in [
        f"{API}/rounds",
        f"{API}/rounds/{slug}",
        f"{API}/pillars",
        f"{API}/council-sessions",
        f"{API}/workshops",
    ]:
        get(url)
    proposals = []
    for sort in ("supports", "newest", "comments"):
        proposals += walk(client, f"{API}/proposals?sort={sort}&limit=1&round={slug}")
    for status in ProposalStatus:
        if status.is_public:
            proposals += get(f"{API}/proposals?status={status.value}")["items"]
    answers.append(json.dumps(proposals, ensure_ascii=False))
    assert {p["id"] for p in proposals} == {world.shown.id}

    for item in world.unseen:
        get(f"{API}/proposals/{item.id}", 404)
        get(f"{API}/proposals/{item.id}/comments", 404)
    assert get(f"{API}/proposals/{world.shown.id}")["title"] == world.shown.title
    comments = get(f"{API}/proposals/{world.shown.id}/comments")["items"]
    assert [c["body"] for c in comments] == ["Un commentaire public"]

    # The deliberation stays public; the hidden proposal it came from is not named.
    (deliberation,) = get(f"{API}/deliberations")["items"]
    assert deliberation["title"] == world.deliberation.title
    assert deliberation["proposal_ids"] == []
    outcome = get(f"{API}/workshops/{world.workshop.id}")["outcome"]
    assert outcome["sticker_count"] == 2

    figures = get(f"{API}/rounds/{slug}/statistics")
    assert figures["totals"] == {
        "proposals": 1,
        "online_supports": 1,
        "paper_supports": 2,
        "comments": 1,
    }
    # The supporter supported the shown proposal; the commenter's public comment is there too.
    assert figures["contributors"] == 3

    assert leaks(world, "\n".join(answers)) == []


def test_no_file_of_the_zip_holds_them(client, world):
    response = client.get(f"/rounds/{world.round.slug}/open-data.zip")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    files = {name: archive.read(name).decode("utf-8-sig") for name in archive.namelist()}
    assert {name: leaks(world, text) for name, text in files.items()} == dict.fromkeys(files, [])

    def rows(name):
        return list(csv.DictReader(io.StringIO(files[name]), delimiter=";"))

    assert [row["proposal_code"] for row in rows("proposals.csv")] == [world.shown.code]
    assert [row["text"] for row in rows("comments.csv")] == ["Un commentaire public"]
    (deliberation,) = rows("deliberations.csv")
    assert (deliberation["title"], deliberation["proposals"]) == (world.deliberation.title, "")
    (workshop,) = rows("workshops.csv")
    assert (workshop["proposals"], workshop["paper_supports"]) == ("0", "2")


def test_statistics_count_only_what_the_public_sees(client, world):
    response = client.get(
        f"/rounds/{world.round.slug}/statistics", headers={"Accept-Language": "en"}
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert leaks(world, html) == []
    assert "In all: 1 proposal, 1 online support, 2 paper supports and 1 comment." in html
    assert '<span class="stat-figures__value" id="stat-contributors">3</span>' in html


def test_pillar_pages_and_home_page_do_not_show_them(client, world):
    pages = {}
    for url in ["/", "/pillars/", f"/pillars/{world.pillar.slug}"]:
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = response.get_data(as_text=True)
    assert world.shown.title in pages[f"/pillars/{world.pillar.slug}"]
    assert world.deliberation.title in pages[f"/pillars/{world.pillar.slug}"]
    assert {url: leaks(world, html) for url, html in pages.items()} == dict.fromkeys(pages, [])
