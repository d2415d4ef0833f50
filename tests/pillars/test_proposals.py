from participation.models import utcnow


def test_pillar_page_lists_its_visible_proposals(
    client, create_pillar, create_round, create_proposal
):
    pillar = create_pillar(slug="mobilite")
    other = create_pillar()
    round_ = create_round(pillars=[pillar, other])
    create_proposal(round=round_, pillar=pillar, title="Des navettes gratuites")
    create_proposal(round=round_, pillar=other, title="Des jardins partagés")
    create_proposal(round=round_, pillar=pillar, title="Une idée cachée", hidden_at=utcnow())
    create_proposal(round=round_, pillar=pillar, title="Une idée en attente", status="submitted")
    page = client.get("/pillars/mobilite").text
    assert "Des navettes gratuites" in page
    assert "Des jardins partagés" not in page
    assert "Une idée cachée" not in page and "Une idée en attente" not in page
    # The list's statement is built once: the other pillar's page is given its own proposals.
    page = client.get(f"/pillars/{other.slug}").text
    assert "Des jardins partagés" in page and "Des navettes gratuites" not in page


def test_pillar_page_query_count_does_not_grow(
    client,
    create_pillar,
    create_round,
    create_proposal,
    create_neighbourhood,
    assert_page_queries,
):
    """The pillar, the page and its count, the cards' rounds and neighbourhoods (a query each,
    the pillar itself in hand), the deliberations."""
    pillar = create_pillar(slug="habitat")
    round_ = create_round(pillars=[pillar])
    create_proposal(round=round_, pillar=pillar, neighbourhood=create_neighbourhood())
    few = assert_page_queries("/pillars/habitat", 6)
    rounds = [round_, create_round(pillars=[pillar]), create_round(pillars=[pillar])]
    places = [create_neighbourhood() for _ in range(3)]
    for n in range(30):
        create_proposal(round=rounds[n % 3], pillar=pillar, neighbourhood=places[n % 3])
    assert assert_page_queries("/pillars/habitat", 6) == few
    assert assert_page_queries("/pillars/habitat?page=3", 6) == few
    # Each card links to its own round, and names its neighbourhood.
    page = client.get("/pillars/habitat").text
    for each in rounds:
        assert f"/rounds/{each.slug}/proposals/" in page
    assert all(place.name in page for place in places)
