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


def test_pillar_page_query_count_does_not_grow(
    client, create_pillar, create_round, create_proposal, assert_page_queries
):
    pillar = create_pillar(slug="habitat")
    round_ = create_round(pillars=[pillar])
    create_proposal(round=round_, pillar=pillar)
    few = assert_page_queries("/pillars/habitat", 6)
    for _ in range(30):
        create_proposal(round=round_, pillar=pillar)
    assert assert_page_queries("/pillars/habitat", 6) == few
    assert assert_page_queries("/pillars/habitat?page=3", 6) == few
