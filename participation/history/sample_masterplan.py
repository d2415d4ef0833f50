"""Sample partner actions for the masterplan: one carrier of each kind besides the city, with an
action or two each, marked as sample, so that a fresh install shows what the masterplan looks
like. Created once, found again by the carrier's slug; administrators may edit or remove them.
"""

from datetime import date

from sqlalchemy import select

from ..extensions import db
from ..models import Action, Carrier, CarrierKind, MasterplanStatus, Pillar, ProgressNote
from .services import ImportReport

# (slug, name, kind, description, website, [(pillar slug, title, status, percent, note)])
SAMPLE_CARRIERS = (
    (
        "exemple-autopartage-artois",
        "Autopartage Artois (exemple)",
        CarrierKind.COMPANY,
        "Une entreprise locale de voitures électriques en libre-service.",
        "",
        [
            (
                "mobilite-transports",
                "Six voitures électriques en autopartage près de la gare",
                MasterplanStatus.IN_PROGRESS,
                50,
                "Trois stations ouvertes sur six.",
            )
        ],
    ),
    (
        "exemple-repair-cafe",
        "Repair Café du Mont-Liébaut (exemple)",
        CarrierKind.ASSOCIATION,
        "Des bénévoles qui réparent avec les habitants plutôt que de jeter.",
        "",
        [
            (
                "alimentation-consommation",
                "Un repair café chaque premier samedi du mois",
                MasterplanStatus.DONE,
                100,
                "Quarante objets réparés lors de la première séance.",
            )
        ],
    ),
    (
        "exemple-ecole-jules-ferry",
        "École Jules-Ferry (exemple)",
        CarrierKind.SCHOOL,
        "Une école élémentaire du centre-ville.",
        "",
        [
            (
                "habitat-environnement",
                "Un potager pédagogique dans la cour de l'école",
                MasterplanStatus.IN_PROGRESS,
                30,
                "Les bacs sont construits ; les semis commencent au printemps.",
            ),
            (
                "education-emploi",
                "Un atelier de programmation pour les CM2",
                MasterplanStatus.PROJECT,
                None,
                None,
            ),
        ],
    ),
    (
        "exemple-voisins-rue-d-arras",
        "Les voisins de la rue d'Arras (exemple)",
        CarrierKind.RESIDENTS,
        "Un collectif d'habitants qui fleurit et entretient sa rue.",
        "",
        [
            (
                "entraide-solidarite",
                "Une boîte à livres et une grainothèque de rue",
                MasterplanStatus.DONE,
                100,
                "Inaugurée avec la fête des voisins.",
            )
        ],
    ),
    (
        "exemple-marie-dupont",
        "Marie Dupont, apicultrice (exemple)",
        CarrierKind.INDIVIDUAL,
        "Une habitante qui installe et suit des ruches.",
        "",
        [
            (
                "habitat-environnement",
                "Deux ruches sur le toit de la médiathèque",
                MasterplanStatus.PROJECT,
                None,
                None,
            )
        ],
    ),
)


def load_sample_masterplan(report: ImportReport) -> None:
    """Create the sample carriers and their actions that are missing (never touch the others)."""
    pillars = {p.slug: p for p in db.session.scalars(select(Pillar))}
    existing = set(
        db.session.scalars(
            select(Carrier.slug).where(Carrier.slug.in_([c[0] for c in SAMPLE_CARRIERS]))
        )
    )
    for slug, name, kind, description, website, actions in SAMPLE_CARRIERS:
        if slug in existing:
            report.record("carriers", "unchanged")
            continue
        carrier = Carrier(
            slug=slug,
            name=name,
            kind=kind,
            description=description,
            website=website,
            is_sample=True,
        )
        db.session.add(carrier)
        report.record("carriers", "created")
        for pillar_slug, title, status, percent, note in actions:
            if pillar_slug not in pillars:
                continue
            action = Action(
                title=title,
                pillar=pillars[pillar_slug],
                carrier=carrier,
                status=status,
                percent=percent,
                started_on=date(2025, 9, 1) if status != MasterplanStatus.PROJECT else None,
                done_on=date(2026, 6, 1) if status == MasterplanStatus.DONE else None,
                is_sample=True,
            )
            db.session.add(action)
            if note:
                db.session.add(ProgressNote(action=action, noted_on=date(2026, 6, 1), body=note))
            report.record("actions", "created")
    db.session.flush()
