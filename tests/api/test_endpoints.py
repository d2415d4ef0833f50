"""Each endpoint's content and filters."""

from datetime import date

from participation.extensions import db
from participation.models import PaperSupport

API = "/api/v1"


def items(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["items"]


def test_rounds_list_and_detail(client, create_round, create_pillar, create_proposal):
    pillar = create_pillar(name_fr="Mobilité / Transports", slug="mobilite")
    round_ = create_round(title="Béthune à 2032", pillars=[pillar], support_cap=5)
    create_proposal(round=round_)
    create_proposal(round=round_, status="submitted")
    old = create_round(title="Smart Days 2018", phase="closed")

    listed = items(client, f"{API}/rounds")
    assert [r["slug"] for r in listed] == [round_.slug, old.slug]
    assert listed[0]["phase"] == "collecting"
    assert listed[0]["pillars"] == ["mobilite"]
    assert listed[1]["phase"] == "closed"
    assert listed[0]["collect_starts_at"].endswith("+00:00")

    detail = client.get(f"{API}/rounds/{round_.slug}").get_json()
    assert detail["title"] == "Béthune à 2032"
    assert detail["support_cap"] == 5
    assert detail["pillars"] == [
        {
            "slug": "mobilite",
            "name_fr": "Mobilité / Transports",
            "name_en": pillar.name_en,
            "proposal_count": 1,
        }
    ]


def test_pillars(client, create_pillar):
    create_pillar(name_fr="Santé / Bien-être", position=2, context="Un\n\nDeux", objectives="Viser")
    create_pillar(name_fr="Habitat / Environnement", position=1)
    listed = items(client, f"{API}/pillars")
    assert [p["name_fr"] for p in listed] == ["Habitat / Environnement", "Santé / Bien-être"]
    assert listed[1]["context"] == ["Un", "Deux"]
    assert listed[1]["objectives"] == ["Viser"]


def test_proposals_filters(
    client, create_round, create_pillar, create_neighbourhood, create_proposal, create_workshop
):
    first, second = create_pillar(), create_pillar()
    quarter = create_neighbourhood("Centre")
    round_ = create_round(pillars=[first, second])
    other_round = create_round(pillars=[first])
    workshop = create_workshop(round_)
    a = create_proposal(round=round_, pillar=first, neighbourhood=quarter, title="A")
    b = create_proposal(
        round=round_, pillar=second, origin="workshop", workshop=workshop, title="B"
    )
    c = create_proposal(round=round_, pillar=first, status="retained", title="C")
    d = create_proposal(round=other_round, pillar=first, title="D")

    def ids(query):
        return {p["id"] for p in items(client, f"{API}/proposals?{query}")}

    assert ids("") == {a.id, b.id, c.id, d.id}
    assert ids(f"round={round_.slug}") == {a.id, b.id, c.id}
    assert ids(f"pillar={first.slug}") == {a.id, c.id, d.id}
    assert ids(f"neighbourhood={quarter.slug}") == {a.id}
    assert ids("status=retained") == {c.id}
    assert ids("origin=workshop") == {b.id}
    assert ids(f"round={round_.slug}&pillar={first.slug}&status=published") == {a.id}
    assert ids("round=no-such-round") == set()

    paper = next(p for p in items(client, f"{API}/proposals") if p["id"] == b.id)
    assert paper["author"] is None
    assert paper["origin"] == "workshop"
    assert paper["workshop"] == {"id": workshop.id, "title": workshop.title}
    online = next(p for p in items(client, f"{API}/proposals") if p["id"] == a.id)
    assert online["author"] == a.author.display_name
    assert online["neighbourhood"] == {"slug": quarter.slug, "name": "Centre"}
    assert online["code"] == f"P-{a.number}"


def test_proposals_sorts(client, create_round, create_proposal):
    round_ = create_round()
    few = create_proposal(round=round_, support_count=1, paper_support_count=1, comment_count=9)
    many = create_proposal(round=round_, support_count=2, paper_support_count=3, comment_count=0)
    newest = create_proposal(round=round_)

    def order(sort):
        return [p["id"] for p in items(client, f"{API}/proposals?sort={sort}")]

    assert order("supports") == [many.id, few.id, newest.id]
    assert order("comments") == [few.id, newest.id, many.id]
    assert order("newest")[0] == newest.id
    assert client.get(f"{API}/proposals?sort=random").status_code == 422
    assert client.get(f"{API}/proposals?status=submitted").status_code == 422
    assert client.get(f"{API}/proposals?limit=101").status_code == 422


def test_proposal_detail_counts_and_public_trail(
    client, create_proposal, create_workshop, create_comment, add_event
):
    proposal = create_proposal(status="retained", support_count=4, paper_support_count=7)
    workshop = create_workshop(proposal.round)
    db.session.add(PaperSupport(workshop=workshop, proposal=proposal, count=7, sheet_count=7))
    proposal.comment_count = 2
    db.session.commit()
    add_event(proposal, from_status="submitted", to_status="published")
    add_event(
        proposal, from_status="published", to_status="retained", note="Réponse publique de la ville"
    )
    add_event(proposal, kind="edit_refused", note="Raison privée", is_public=False)

    data = client.get(f"{API}/proposals/{proposal.id}").get_json()
    assert data["supports"] == {"online": 4, "paper": 7, "total": 11}
    assert data["comment_count"] == 2
    assert [(e["kind"], e["to_status"]) for e in data["trail"]] == [
        ("status", "published"),
        ("status", "retained"),
    ]
    assert data["trail"][1]["note"] == "Réponse publique de la ville"


def test_merged_into_only_when_target_is_public(client, create_round, create_proposal):
    round_ = create_round()
    kept = create_proposal(round=round_)
    merged = create_proposal(round=round_, status="merged", merged_into=kept)
    assert client.get(f"{API}/proposals/{merged.id}").get_json()["merged_into_id"] == kept.id
    kept.hidden_at = kept.created_at
    db.session.commit()
    assert client.get(f"{API}/proposals/{merged.id}").get_json()["merged_into_id"] is None


def test_comments_with_replies_and_authors(
    client, create_proposal, create_comment, create_user, create_workshop
):
    proposal = create_proposal()
    erased = create_user(display_name="Ancien nom")
    erased.erased_at = erased.created_at
    db.session.commit()
    first = create_comment(proposal, body="Premier")
    reply = create_comment(proposal, author=erased, body="Réponse", parent=first)
    workshop = create_workshop(proposal.round)
    paper = create_comment(proposal, body="Carte", origin="workshop", workshop=workshop)

    data = client.get(f"{API}/proposals/{proposal.id}/comments").get_json()
    assert [c["id"] for c in data["items"]] == [first.id, paper.id]
    assert data["items"][0]["author"] == first.author.display_name
    assert [r["id"] for r in data["items"][0]["replies"]] == [reply.id]
    assert data["items"][0]["replies"][0]["author"] == "Deleted account"
    assert data["items"][1]["author"] is None
    assert data["items"][1]["workshop"]["id"] == workshop.id
    assert data["links"]["next"] is None


def test_comments_are_paginated(client, create_proposal, create_comment):
    proposal = create_proposal()
    created = [create_comment(proposal, body=f"Commentaire {i}").id for i in range(5)]
    url, seen = f"{API}/proposals/{proposal.id}/comments?limit=2", []
    while url:
        data = client.get(url).get_json()
        seen += [c["id"] for c in data["items"]]
        url = data["links"]["next"]
    assert seen == created


def test_workshops_list_filter_and_detail(
    client, create_round, create_pillar, create_workshop, create_proposal
):
    pillar = create_pillar()
    round_ = create_round(pillars=[pillar])
    other = create_round()
    later = create_workshop(round_, title="Plus tard", days=3, expected_attendance=30)
    sooner = create_workshop(round_, title="Plus tôt", days=-3, attendance=12)
    sooner.pillars = [pillar]
    db.session.commit()
    elsewhere = create_workshop(other)
    create_proposal(round=round_, origin="workshop", workshop=sooner)
    create_proposal(round=round_, origin="workshop", workshop=sooner, status="submitted")

    assert [w["id"] for w in items(client, f"{API}/workshops")] == [
        sooner.id,
        elsewhere.id,
        later.id,
    ]
    assert [w["id"] for w in items(client, f"{API}/workshops?round={round_.slug}")] == [
        sooner.id,
        later.id,
    ]
    detail = client.get(f"{API}/workshops/{sooner.id}").get_json()
    assert detail["attendance"] == 12
    assert detail["pillars"] == [pillar.slug]
    assert detail["round"]["slug"] == round_.slug
    assert detail["outcome"] == {"proposal_count": 1, "sticker_count": 0, "comment_count": 0}


def test_council_sessions_and_deliberations(
    client, create_pillar, create_deliberation, create_proposal, add_progress_note
):
    mobility, health = create_pillar(), create_pillar()
    first = create_deliberation(pillar=mobility, number=1, carrier="Artois Mobilités")
    second = create_deliberation(pillar=health, number=2, masterplan_status="done")
    recent = create_deliberation(pillar=health, number=1, held_on=date(2024, 3, 1))
    add_progress_note(second, "Travaux terminés", date(2023, 6, 1), status="done")
    add_progress_note(second, "Travaux lancés", date(2022, 6, 1), status="in_progress")
    public = create_proposal(pillar=mobility, status="promoted", deliberation=first)
    create_proposal(
        pillar=mobility, status="promoted", deliberation=first, hidden_at=public.created_at
    )

    sessions = items(client, f"{API}/council-sessions")
    assert [(s["held_on"], s["deliberation_count"]) for s in sessions] == [
        ("2024-03-01", 1),
        ("2018-12-11", 2),
    ]

    listed = items(client, f"{API}/deliberations")
    assert [d["id"] for d in listed] == [recent.id, first.id, second.id]
    by_id = {d["id"]: d for d in listed}
    assert by_id[first.id]["masterplan"]["carrier"] == "Artois Mobilités"
    assert by_id[first.id]["proposal_ids"] == [public.id]
    assert by_id[second.id]["masterplan"]["status"] == "done"
    assert [n["body"] for n in by_id[second.id]["masterplan"]["progress_notes"]] == [
        "Travaux terminés",
        "Travaux lancés",
    ]

    def ids(query):
        return [d["id"] for d in items(client, f"{API}/deliberations?{query}")]

    assert ids(f"pillar={health.slug}") == [recent.id, second.id]
    assert ids("status=done") == [second.id]
    assert ids(f"session={first.council_session_id}") == [first.id, second.id]
    assert client.get(f"{API}/deliberations?status=unknown").status_code == 422
    assert by_id[first.id]["reference"] == "2018-12-11/1"
    assert by_id[first.id]["masterplan"]["action_id"] == first.action.id


def test_actions_and_carriers(
    client, create_pillar, create_deliberation, create_action, create_carrier
):
    pillar = create_pillar()
    city = create_deliberation(pillar=pillar, number=1, masterplan_status="in_progress")
    school = create_carrier("École Jules-Ferry", kind="school")
    garden = create_action(carrier=school, title="Potager", status="done", percent=100)
    create_action(carrier=school, title="En attente", review="proposed")

    listed = items(client, f"{API}/actions")
    assert [a["title"] for a in listed] == [city.action.title, "Potager"]  # not the waiting one
    by_title = {a["title"]: a for a in listed}
    assert by_title["Potager"]["carrier"] == {
        "slug": school.slug,
        "name": "École Jules-Ferry",
        "kind": "school",
    }
    assert (by_title["Potager"]["percent"], by_title["Potager"]["deliberation_id"]) == (100, None)
    assert by_title[city.action.title]["deliberation_id"] == city.id

    def titles(query):
        return [a["title"] for a in items(client, f"{API}/actions?{query}")]

    assert titles("kind=school") == ["Potager"]
    assert titles(f"carrier={school.slug}&status=done") == ["Potager"]
    assert titles("status=in_progress") == [city.action.title]
    assert titles(f"pillar={pillar.slug}") == [city.action.title]
    assert client.get(f"{API}/actions?kind=nobody").status_code == 422

    carriers = {c["slug"]: c for c in items(client, f"{API}/carriers")}
    assert carriers[school.slug]["kind"] == "school"
    assert carriers["ville-de-bethune"]["kind"] == "city"
    assert garden.id in [a["id"] for a in listed]


def test_round_statistics(
    client,
    create_round,
    create_pillar,
    create_neighbourhood,
    create_proposal,
    create_comment,
    create_workshop,
    create_deliberation,
    create_user,
):
    from participation.models import Support

    first, second = create_pillar(), create_pillar()
    centre = create_neighbourhood("Centre")
    round_ = create_round(pillars=[first, second])
    workshop = create_workshop(round_, attendance=25)
    alice, bob, carol = create_user(), create_user(), create_user()
    a = create_proposal(
        round=round_, pillar=first, neighbourhood=centre, author=alice, support_count=2
    )
    b = create_proposal(
        round=round_, pillar=second, origin="workshop", workshop=workshop, paper_support_count=5
    )
    hidden = create_proposal(round=round_, pillar=first, support_count=50, hidden_at=a.created_at)
    create_proposal(round=round_, pillar=first, status="submitted")
    dave = create_user()
    db.session.add_all(
        [
            Support(proposal_id=a.id, user_id=bob.id, round_id=round_.id),
            Support(proposal_id=a.id, user_id=carol.id, round_id=round_.id),
            # Dave supported the hidden proposal only: nothing public of his shows.
            Support(proposal_id=hidden.id, user_id=dave.id, round_id=round_.id),
        ]
    )
    db.session.commit()
    create_comment(a, author=bob)
    create_comment(b, origin="workshop", workshop=workshop)
    create_comment(a, author=carol, hidden_at=a.created_at)
    create_comment(hidden, author=carol)
    voted = create_deliberation(
        pillar=first, held_on=date(2033, 1, 1), masterplan_status="in_progress"
    )
    voted.council_session.round = round_
    db.session.commit()
    create_deliberation(pillar=first)  # a session of no round: not counted

    data = client.get(f"{API}/rounds/{round_.slug}/statistics").get_json()
    assert data["contributors"] == 3  # alice proposed, bob and carol supported or commented
    assert data["workshop_attendance"] == 25
    assert data["totals"] == {
        "proposals": 2,
        "online_supports": 2,
        "paper_supports": 5,
        "comments": 2,
    }
    by_pillar = {t["pillar"]["slug"]: t for t in data["by_pillar"]}
    assert by_pillar[first.slug]["proposals"] == 1
    assert by_pillar[first.slug]["comments"] == 1
    assert by_pillar[second.slug]["paper_supports"] == 5
    by_place = {(t["neighbourhood"] or {}).get("slug"): t for t in data["by_neighbourhood"]}
    assert by_place[centre.slug]["proposals"] == 1
    assert by_place[None]["proposals"] == 1
    assert data["by_channel"] == {
        "online": {"proposals": 1, "supports": 2, "comments": 1},
        "workshop": {"proposals": 1, "supports": 5, "comments": 1},
    }
    assert data["masterplan"] == {"project": 0, "in_progress": 1, "done": 0}


def test_round_statistics_keep_a_pillar_that_left_the_round(
    client, create_round, create_pillar, create_proposal
):
    kept, former = create_pillar(), create_pillar()
    round_ = create_round(pillars=[kept])
    create_proposal(round=round_, pillar=former)
    round_.pillars.remove(former)
    db.session.commit()

    data = client.get(f"{API}/rounds/{round_.slug}/statistics").get_json()
    # Its public proposals still count, by pillar as in the totals.
    assert [(t["pillar"]["slug"], t["proposals"]) for t in data["by_pillar"]] == [
        (kept.slug, 0),
        (former.slug, 1),
    ]
    assert data["totals"]["proposals"] == 1


def test_unknown_items_are_404_in_json(client, create_proposal):
    hidden = create_proposal(hidden_at=create_proposal().created_at)
    submitted = create_proposal(status="submitted")
    for url in [
        f"{API}/rounds/nope",
        f"{API}/rounds/nope/statistics",
        f"{API}/proposals/999999",
        f"{API}/proposals/{hidden.id}",
        f"{API}/proposals/{submitted.id}",
        f"{API}/proposals/{hidden.id}/comments",
        f"{API}/workshops/999999",
        f"{API}/no-such-endpoint",
    ]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.get_json()["code"] == 404, url


def test_site_errors_stay_html(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
