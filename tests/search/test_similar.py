"""Similar proposals: a labelled set of French titles, and the precision of what is shown."""

from participation.proposals.services import SIMILARITY_THRESHOLD, similar_proposals

EXISTING = {
    "navette": "Une navette gratuite entre la gare et l'hôpital",
    "velos": "Des vélos en libre-service dans toute la ville",
    "arbres": "Planter des arbres dans la rue d'Arras",
    "concerts": "Des concerts gratuits au kiosque l'été",
    "parking-gare": "Agrandir le parking de la gare",
    "piscine": "Ouvrir la piscine le dimanche matin",
    "bancs": "Installer des bancs sur la Grand-Place",
    "jardins": "Des jardins partagés dans les quartiers",
    "eclairage": "Un éclairage public plus économe la nuit",
    "pistes": "Des pistes cyclables sécurisées vers les écoles",
    "marche": "Un marché de producteurs locaux le samedi",
    "toilettes": "Des toilettes publiques au centre-ville",
}
# (title a resident types, the existing proposal of the same idea, or None for a near-miss that
# only shares a word or two).
PAIRS = [
    ("Navette gratuite gare hôpital", "navette"),
    ("Une navette vers l'hôpital depuis la gare", "navette"),
    ("Bus navette gratuit pour l'hôpital", "navette"),
    ("Vélos en libre-service", "velos"),
    ("Location de vélos en libre service", "velos"),
    ("Plus d'arbres rue d'Arras", "arbres"),
    ("Planter des arbres", "arbres"),
    ("Concerts gratuits en été", "concerts"),
    ("Concerts au kiosque", "concerts"),
    ("Parking plus grand à la gare", "parking-gare"),
    ("Agrandir le parking", "parking-gare"),
    ("Piscine ouverte le dimanche", "piscine"),
    ("Des bancs sur la Grand-Place", "bancs"),
    ("Jardins partagés", "jardins"),
    ("Un éclairage public économe", "eclairage"),
    ("Pistes cyclables vers les écoles", "pistes"),
    ("Un marché de producteurs le samedi", "marche"),
    ("Toilettes publiques", "toilettes"),
    ("Un vélo-école pour les enfants", None),
    ("Repeindre la gare", None),
    ("Un musée à la gare", None),
    ("Gratuité des cantines", None),
    ("Des fleurs sur les ronds-points", None),
    ("Un skatepark près de la piscine", None),
    ("Nettoyer la Grand-Place après le marché", None),
    ("Un festival de théâtre", None),
    ("Réduire la vitesse rue d'Arras", None),
    ("Des caméras au parking du centre", None),
    ("Un hôpital de jour pour les aînés", None),
    ("Le wifi public gratuit", None),
    ("Des cours de jardinage à l'école", None),
    ("Un éclairage des terrains de sport", None),
    ("Des arbres fruitiers au parc", "arbres"),
    ("Concerts de jazz au beffroi", None),
]


def test_similar_proposals_on_the_labelled_pairs(app, create_round, create_proposal):
    round_ = create_round()
    existing = {
        create_proposal(round=round_, title=title, body=title).id: key
        for key, title in EXISTING.items()
    }
    shown = right = expected = found = 0
    for title, same in PAIRS:
        offered = [existing[p.id] for p in similar_proposals(round_, title)]
        shown += len(offered)
        right += sum(key == same for key in offered)
        expected += same is not None
        found += same in offered
    precision = right / shown
    print(
        f"\nsimilar proposals, threshold {SIMILARITY_THRESHOLD}: {len(PAIRS)} pairs, "
        f"precision {precision:.2f} ({right}/{shown} shown), recall {found / expected:.2f}"
    )
    assert len(PAIRS) >= 30
    assert precision >= 0.8
    assert found / expected >= 0.5


def test_withdrawn_merged_and_hidden_are_never_offered(app, create_round, create_proposal):
    from participation.models import utcnow

    round_ = create_round()
    target = create_proposal(round=round_, title="Une navette gratuite pour la gare")
    create_proposal(round=round_, title="Navette gratuite gare", status="withdrawn")
    create_proposal(
        round=round_, title="Navette gratuite vers la gare", status="merged", merged_into=target
    )
    create_proposal(round=round_, title="La navette gratuite de la gare", hidden_at=utcnow())
    assert similar_proposals(round_, "Navette gratuite à la gare") == [target]


def test_similar_while_typing_a_title(client, sign_in, create_user, create_round, create_proposal):
    round_ = create_round()
    create_proposal(round=round_, title="Une navette gratuite entre la gare et l'hôpital")
    sign_in(create_user())
    url = f"/rounds/{round_.slug}/proposals/similar"
    assert "Une navette gratuite" in client.get(f"{url}?title=Navette vers l'hôpital").text
    assert client.get(f"{url}?title=Un festival de théâtre").text.strip() == ""
    assert client.get(f"{url}?title=").status_code == 200
