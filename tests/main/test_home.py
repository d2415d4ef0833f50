"""The home page: each open round says where it stands and what one can do now."""

import re
from html import unescape

from participation.extensions import db
from participation.models import Role, utcnow

EN = {"Accept-Language": "en"}
# The rounds, the pillars, the masterplan by pillar, the key figures and the latest ideas
# retained (plus the account when signed in), however many there are.
HOME_QUERIES = 5


def home(client) -> str:
    response = client.get("/", headers=EN)
    assert response.status_code == 200
    return unescape(response.text)


def card(text: str, title: str) -> str:
    """The card of the round titled ``title``, on one line."""
    cards = re.findall(r'<li class="card[^"]*">(.*?)</li>\s*(?=<li class="card|</ul>)', text, re.S)
    found = [c for c in cards if f">{title}</a></h3>" in c]
    assert len(found) == 1, title
    return " ".join(found[0].split())


def test_each_open_round_says_what_one_can_do_now(client, create_round, create_pillar):
    pillar = create_pillar()
    collecting = create_round("Collecte", phase="collecting", pillars=[pillar])
    voting = create_round("Vote", phase="voting", pillars=[pillar])
    create_round("Délibération", phase="deliberation", pillars=[pillar])
    create_round("Bientôt", phase="upcoming", pillars=[pillar])
    text = home(client)

    now = card(text, "Collecte")
    assert "Collecting proposals" in now
    assert "<strong>Now:</strong> Submit your proposals until" in now
    assert f'href="/sign-in?next=/rounds/{collecting.slug}/proposals/new"' in now
    assert f'href="/rounds/{collecting.slug}/proposals/">Browse the proposals' in now

    now = card(text, "Vote")
    assert "<strong>Now:</strong> Support proposals until" in now
    assert f'<a class="button" href="/rounds/{voting.slug}/proposals/">Browse and support' in now

    assert "<strong>Now:</strong> Moderators are answering; the council will vote." in card(
        text, "Délibération"
    )
    assert "<strong>Now:</strong> This consultation has not started yet." in card(text, "Bientôt")


def test_a_resident_is_offered_to_submit(client, create_round, create_user, sign_in):
    round_ = create_round("Collecte")
    sign_in(create_user())
    text = home(client)

    assert f'<a class="button" href="/rounds/{round_.slug}/proposals/new">Submit a proposal' in text
    assert "Sign in to submit" not in text


def test_closed_rounds_are_listed_as_past_consultations(client, create_round):
    create_round("Smart Days 2018", phase="closed", summary="Trois semaines d'ateliers.")
    text = home(client)

    past = text[text.index('id="archive-title"') :]
    assert "Smart Days 2018" in past and "Archived" in past
    assert "Trois semaines d'ateliers." in past
    assert "No consultation is open at the moment." in text
    assert 'href="/rounds/">All consultations' in text


def test_home_makes_the_same_queries_for_2_or_20_rounds(
    client, create_round, create_pillar, create_user, sign_in, assert_page_queries
):
    pillar = create_pillar()
    phases = ["collecting", "closed", "voting", "deliberation", "upcoming"]
    create_round(phase="collecting", pillars=[pillar])
    create_round(phase="closed", pillars=[pillar])
    few = assert_page_queries("/", HOME_QUERIES)

    for n in range(18):
        create_round(phase=phases[n % len(phases)], pillars=[pillar])
    db.session.commit()
    assert assert_page_queries("/", HOME_QUERIES) == few

    sign_in(create_user(role=Role.RESIDENT))
    assert assert_page_queries("/", HOME_QUERIES + 1) == few + 1


def test_home_shows_the_pillars_figures_progress_and_retained_ideas(
    client, create_round, create_pillar, create_proposal, create_deliberation
):
    from participation.models import MasterplanStatus

    habitat = create_pillar("Habitat / Environnement", slug="habitat-environnement")
    other = create_pillar("Nouveau pilier")
    round_ = create_round("Collecte", pillars=[habitat, other])
    create_proposal(round=round_, pillar=habitat, title="Des arbres", status="retained")
    create_proposal(round=round_, pillar=habitat, title="Un banc", status="published")
    create_proposal(
        round=round_, pillar=habitat, title="Caché", status="retained", hidden_at=utcnow()
    )
    create_deliberation(habitat, masterplan_status=MasterplanStatus.DONE)
    create_deliberation(habitat)
    db.session.commit()
    text = " ".join(home(client).split())

    figures = text[text.index('class="key-figures"') :]
    assert '<span class="key-figures__value">2</span> public proposals' in figures
    assert '<span class="key-figures__value">2</span> framework deliberations voted' in figures
    assert '<span class="key-figures__value">1</span> action done' in figures
    kept = text[text.index('id="kept-title"') : text.index('id="pillars-title"')]
    assert "Des arbres" in kept and "Un banc" not in kept and "Caché" not in kept
    pillars = text[text.index('id="pillars-title"') :]
    assert 'src="/static/img/pillars/habitat-environnement.svg" alt=""' in pillars
    assert 'src="/static/img/pillars/pillar.svg" alt=""' in pillars
    assert "2 actions · 1 done · 0 in progress" in pillars
    assert '<progress max="2" value="1"' in pillars
    assert "No action in the masterplan yet." in pillars


def test_home_queries_stay_the_same_with_more_pillars_deliberations_and_ideas(
    client, create_round, create_pillar, create_proposal, create_deliberation, assert_page_queries
):
    pillar = create_pillar()
    round_ = create_round(pillars=[pillar])
    create_proposal(round=round_, pillar=pillar, status="retained")
    create_deliberation(pillar)
    few = assert_page_queries("/", HOME_QUERIES)

    for _ in range(6):
        more = create_pillar()
        create_proposal(round=round_, pillar=pillar, status="retained")
        create_deliberation(more)
    db.session.commit()
    assert assert_page_queries("/", HOME_QUERIES) == few
