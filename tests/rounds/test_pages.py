"""A round's page says where the round stands and what one can do now; the list of rounds."""

import re
from datetime import datetime
from html import unescape

import pytest

from participation.extensions import db
from participation.models import Role
from participation.rounds.services import paris_to_utc

EN = {"Accept-Language": "en"}
# The round, its pillars with their counts, its deliberations (plus the account when signed in).
ROUND_PAGE_QUERIES = 3
LIST_PAGE_QUERIES = 2


def page(client, url: str) -> str:
    response = client.get(url, headers=EN)
    assert response.status_code == 200, response.status_code
    return unescape(response.text)


def current_step(text: str) -> str:
    steps = re.findall(
        r'<li class="timeline__step[^"]*" aria-current="step">(.*?)</li>', text, re.S
    )
    assert len(steps) == 1, steps
    return " ".join(steps[0].split())


def what_now(text: str) -> str:
    match = re.search(r'<section aria-labelledby="now-title".*?</section>', text, re.S)
    return " ".join(match.group(0).split())


@pytest.fixture
def round_in(create_round, create_pillar):
    def make(phase: str, **fields):
        return create_round(
            title="Béthune à 2032", phase=phase, pillars=[create_pillar()], **fields
        )

    return make


def test_upcoming_round_says_when_it_opens(client, round_in):
    round_ = round_in("upcoming")
    text = page(client, f"/rounds/{round_.slug}")

    now = what_now(text)
    assert "This consultation has not started yet. You can submit proposals from" in now
    assert "/proposals/" not in now
    assert "Upcoming" in current_step(text) and "Now" in current_step(text)


def test_collecting_round_invites_visitors_to_sign_in_and_browse(client, round_in):
    round_ = round_in("collecting")
    text = page(client, f"/rounds/{round_.slug}")

    now = what_now(text)
    assert "Submit your proposals until" in now
    assert f'href="/sign-in?next=/rounds/{round_.slug}/proposals/new"' in now
    assert "Sign in to submit a proposal" in now
    assert f'href="/rounds/{round_.slug}/proposals/">Browse the proposals' in now
    assert "Collecting proposals" in current_step(text)


def test_collecting_round_offers_residents_to_submit(client, round_in, create_user, sign_in):
    round_ = round_in("collecting")
    sign_in(create_user())
    now = what_now(page(client, f"/rounds/{round_.slug}"))

    assert f'<a class="button" href="/rounds/{round_.slug}/proposals/new">Submit a proposal' in now
    assert "Sign in" not in now


def test_an_unconfirmed_resident_is_told_why_they_cannot_submit(
    client, round_in, create_user, sign_in
):
    round_ = round_in("collecting")
    sign_in(create_user(confirmed=False))
    now = what_now(page(client, f"/rounds/{round_.slug}"))

    assert "Please confirm your e-mail address first" in now
    assert "/proposals/new" not in now
    assert "Browse the proposals" in now


def test_voting_round_asks_for_supports_until_its_end(client, round_in, create_user, sign_in):
    round_ = round_in(
        "voting",
        vote_starts_at=paris_to_utc(datetime(2026, 11, 1, 0, 0)),
        vote_ends_at=paris_to_utc(datetime(2030, 3, 31, 18, 30)),
    )
    sign_in(create_user())
    text = page(client, f"/rounds/{round_.slug}")

    now = what_now(text)
    assert re.search(r"Support proposals until March 31, 2030 at 6:30\s?PM\.", now)
    assert "New proposals are no longer accepted." in now
    assert f'href="/rounds/{round_.slug}/proposals/">Browse and support the proposals' in now
    assert "/proposals/new" not in now
    assert "Voting" in current_step(text)


def test_deliberation_round_says_the_council_will_vote(client, round_in):
    round_ = round_in("deliberation")
    text = page(client, f"/rounds/{round_.slug}")

    now = what_now(text)
    assert "Moderators are answering; the council will vote." in now
    assert f'href="/rounds/{round_.slug}/proposals/">Follow the answers to the proposals' in now
    assert "/proposals/new" not in now
    assert "Deliberation" in current_step(text)


def test_closed_round_says_so_and_links_to_its_results(
    client, round_in, create_deliberation, create_proposal, create_user, sign_in
):
    round_ = round_in("closed")
    create_proposal(round=round_)
    deliberation = create_deliberation(round_.pillars[0], title="Végétaliser les cours d'école")
    deliberation.council_session.round = round_
    db.session.commit()
    sign_in(create_user())
    text = page(client, f"/rounds/{round_.slug}")

    now = what_now(text)
    assert "This consultation is closed." in now
    assert 'href="#round-deliberations">Read its framework deliberations' in now
    assert "See the proposals and their answers" in now
    assert "/proposals/new" not in now
    assert "Closed" in current_step(text)
    assert '<h2 id="round-deliberations">' in text
    assert "Végétaliser les cours d'école" in text


def test_closed_round_without_deliberations_links_to_its_proposals(
    client, round_in, create_proposal
):
    round_ = round_in("closed")
    create_proposal(round=round_)
    now = what_now(page(client, f"/rounds/{round_.slug}"))

    assert "This consultation is closed." in now
    assert "#round-deliberations" not in now
    assert f'href="/rounds/{round_.slug}/proposals/">See the proposals and their answers' in now


def test_closed_round_without_proposals_offers_no_empty_list(client, round_in):
    round_ = round_in("closed")
    now = what_now(page(client, f"/rounds/{round_.slug}"))

    assert "This consultation is closed." in now
    assert "/proposals/" not in now


def test_calendar_shows_every_phase_in_paris_time(client, create_round):
    round_ = create_round(
        phase="closed",
        collect_starts_at=paris_to_utc(datetime(2026, 3, 1, 9, 0)),
        collect_ends_at=paris_to_utc(datetime(2026, 4, 30, 23, 59, 59)),
        vote_starts_at=paris_to_utc(datetime(2026, 5, 1, 0, 0)),
        vote_ends_at=paris_to_utc(datetime(2026, 5, 31, 23, 59, 59)),
        deliberation_ends_at=paris_to_utc(datetime(2026, 10, 25, 2, 30)),
    )
    text = " ".join(page(client, f"/rounds/{round_.slug}").split())

    assert re.search(
        r"Collecting proposals</span> <span class=\"timeline__dates\">from "
        r"March 1, 2026 at 9:00\s?AM to April 30, 2026</span>",
        text,
    )
    assert (
        'Voting</span> <span class="timeline__dates">from May 1, 2026 to May 31, 2026</span>'
        in text
    )
    assert re.search(
        r"Deliberation</span> <span class=\"timeline__dates\">until "
        r"October 25, 2026 at 2:30\s?AM</span>",
        text,
    )
    assert re.search(
        r"Closed</span> <span class=\"timeline__dates\">after "
        r"October 25, 2026 at 2:30\s?AM</span>",
        text,
    )
    assert text.count('<span class="timeline__state">Finished</span>') == 3


def test_an_end_at_midnight_shows_its_time(client, create_round):
    round_ = create_round(
        phase="closed",
        collect_starts_at=paris_to_utc(datetime(2026, 3, 1, 0, 0)),
        collect_ends_at=paris_to_utc(datetime(2026, 5, 1, 0, 0)),
        vote_starts_at=None,
        vote_ends_at=None,
        deliberation_ends_at=None,
    )
    text = " ".join(page(client, f"/rounds/{round_.slug}").split())

    assert re.search(r"from March 1, 2026 to May 1, 2026 at 12:00\s?AM</span>", text)
    assert re.search(r"after May 1, 2026 at 12:00\s?AM</span>", text)
    assert "Dates and times are those of Paris." in text


def test_round_page_lists_its_pillars_with_their_proposals(
    client, create_round, create_pillar, create_proposal
):
    mobility, health = create_pillar(name_en="Mobility"), create_pillar(name_en="Health")
    round_ = create_round(pillars=[mobility, health])
    for _ in range(2):
        create_proposal(round=round_, pillar=health)
    create_proposal(round=round_, pillar=health, status="submitted")
    text = " ".join(page(client, f"/rounds/{round_.slug}").split())

    assert (
        f'<a href="/rounds/{round_.slug}/proposals/?pillar={mobility.id}">Mobility</a> '
        '<span class="count">0 proposals</span>'
    ) in text
    assert (
        f'<a href="/rounds/{round_.slug}/proposals/?pillar={health.id}">Health</a> '
        '<span class="count">2 proposals</span>'
    ) in text


def test_round_page_explains_its_rules(client, round_in):
    strict = round_in("collecting", premoderation=True, support_cap=5)
    open_ = round_in("collecting")

    text = page(client, f"/rounds/{strict.slug}")
    assert "Pre-moderation: a moderator checks each new proposal before it appears." in text
    assert "Each resident can support up to 5 proposals." in text
    text = page(client, f"/rounds/{open_.slug}")
    assert "New proposals appear at once" in text
    assert "Each resident can support as many proposals as they wish, once each." in text


def test_round_page_describes_its_workshops_rules(client, round_in):
    text = page(client, f"/rounds/{round_in('collecting', stickers_per_person=3).slug}")
    workshops = re.search(
        r'<section aria-labelledby="round-workshops-title".*?</section>', text, re.S
    )
    workshops = " ".join(workshops.group(0).split())
    assert "Workshops can be held until" in workshops
    assert "or within 14 days after the workshop." in workshops
    assert "Each participant receives 3 stickers to vote with." in workshops

    closed = round_in("closed", paper_grace_days=0, stickers_per_person=1)
    text = " ".join(page(client, f"/rounds/{closed.slug}").split())
    assert "The workshops phase ended on" in text
    assert "What came back on paper is typed in during the workshops phase." in text
    assert "Each participant receives 1 sticker to vote with." in text


def test_description_is_rendered_as_safe_markdown(client, round_in):
    round_ = round_in(
        "collecting", description="Proposez vos **idées**.\n\n<script>alert(1)</script>"
    )
    response = client.get(f"/rounds/{round_.slug}", headers=EN)

    assert "<p>Proposez vos <strong>idées</strong>.</p>" in response.text
    assert "<script>alert" not in response.text


def test_only_admins_see_the_edit_link(client, round_in, create_user, sign_in):
    round_ = round_in("collecting")
    edit = f'href="/rounds/{round_.slug}/edit"'
    assert edit not in page(client, f"/rounds/{round_.slug}")
    sign_in(create_user(role=Role.MODERATOR))
    assert edit not in page(client, f"/rounds/{round_.slug}")
    sign_in(create_user(role=Role.ADMIN))
    assert f"{edit}>Edit this round</a>" in page(client, f"/rounds/{round_.slug}")


def test_round_page_has_one_title_and_ordered_headings(client, round_in, create_deliberation):
    round_ = round_in("closed", description="# Un titre de résident")
    deliberation = create_deliberation(round_.pillars[0])
    deliberation.council_session.round = round_
    db.session.commit()
    text = page(client, f"/rounds/{round_.slug}")

    levels = [int(level) for level in re.findall(r"<h([1-6])[ >]", text)]
    assert levels.count(1) == 1 and levels[0] == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), levels


def test_round_page_queries_do_not_grow_with_pillars_and_proposals(
    client, create_round, create_pillar, create_proposal, create_user, sign_in, assert_page_queries
):
    pillars = [create_pillar() for _ in range(7)]
    round_ = create_round(pillars=pillars[:2])
    create_proposal(round=round_, pillar=pillars[0])
    url = f"/rounds/{round_.slug}"
    few = assert_page_queries(url, ROUND_PAGE_QUERIES)

    round_.pillars = pillars
    db.session.commit()
    for n in range(40):
        create_proposal(round=round_, pillar=pillars[n % 7])
    assert assert_page_queries(url, ROUND_PAGE_QUERIES) == few

    sign_in(create_user(role=Role.ADMIN))
    assert assert_page_queries(url, ROUND_PAGE_QUERIES + 1) == few + 1


def test_list_of_rounds_shows_them_all(client, round_in, create_user, sign_in, assert_page_queries):
    for phase in ("upcoming", "collecting", "closed"):
        round_in(phase)
    text = page(client, "/rounds/")
    assert text.count("<h1>") == 1
    assert text.count('<li class="card">') == 3
    assert "Create a consultation round" not in text
    few = assert_page_queries("/rounds/", LIST_PAGE_QUERIES)

    for _ in range(10):
        round_in("closed")
    assert assert_page_queries("/rounds/", LIST_PAGE_QUERIES) == few
    sign_in(create_user(role=Role.ADMIN))
    text = page(client, "/rounds/")
    assert 'href="/rounds/new">Create a consultation round' in text
    assert text.count(">Edit<") == 13
