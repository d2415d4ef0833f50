"""Sample proposals, supports and comments for the open sample round, marked as sample.

Created through the same services residents use (numbers, trail, counters), by sample residents
who have no e-mail address and no password: nobody can sign in as them.
"""

import pyotp
from sqlalchemy import select

from ..comments.services import add_comment
from ..extensions import db
from ..models import Neighbourhood, Pillar, ProposalStatus, Role, Round, User, utcnow
from ..proposals import state
from ..proposals.services import ProposalInput, add_proposal
from ..proposals.supports import support
from .services import ImportReport

RESIDENTS = (
    "Camille (exemple)",
    "Karim (exemple)",
    "Sophie (exemple)",
    "Lucas (exemple)",
    "Nadia (exemple)",
    "Théo (exemple)",
)

# title, text, pillar slug, neighbourhood slug, author, supporters (indexes into RESIDENTS)
PROPOSALS = (
    (
        "Des vergers partagés dans les cours d'école",
        "Planter quelques **arbres fruitiers** dans les cours d'école, entretenus avec les "
        "enfants et les familles, pour l'ombre en été et des fruits à partager à l'automne.",
        "habitat-environnement",
        "catorive",
        0,
        (1, 2, 3, 4),
    ),
    (
        "Une navette gratuite entre la gare et le centre-ville le samedi",
        "Le samedi, une petite navette électrique gratuite qui relie la gare, le parking "
        "relais et la Grand-Place toutes les quinze minutes.",
        "mobilite-transports",
        "gare",
        1,
        (0, 2, 5),
    ),
    (
        "Un atelier de réparation de vélos dans chaque quartier",
        "Un local ouvert deux soirs par semaine, avec des outils et des bénévoles, pour "
        "apprendre à réparer son vélo plutôt que de le laisser au garage.",
        "mobilite-transports",
        "mont-liebaut",
        2,
        (0, 1),
    ),
    (
        "Un tiers-lieu pour les étudiants près de la gare",
        "Un espace de travail gratuit avec du wifi, ouvert tard le soir, pour les étudiants "
        "et les personnes en recherche d'emploi.",
        "education-emploi",
        "centre-ville",
        3,
        (4,),
    ),
    (
        "Un marché de producteurs locaux le mercredi soir",
        "Un petit marché en fin de journée, pour acheter local en sortant du travail.",
        "alimentation-consommation",
        "perroy",
        4,
        (0, 1, 2, 3, 5),
    ),
    (
        "Des concerts gratuits sur la Grand-Place l'été",
        "Un concert par semaine en juillet et en août, avec les écoles de musique et les "
        "groupes de la région.",
        "loisirs-culture",
        "centre-ville",
        5,
        (2,),
    ),
    (
        "Une accorderie pour échanger des services entre voisins",
        "Une heure de bricolage contre une heure de cours de cuisine : un lieu pour échanger "
        "des services sans argent, et se rencontrer.",
        "entraide-solidarite",
        "saint-pry",
        0,
        (1, 3, 4, 5),
    ),
)

COMMENTS = (
    (1, 2, "Très utile pour les personnes âgées qui viennent au marché !", None),
    (1, 3, "Et pourquoi pas aussi le mercredi pour les enfants ?", None),
    (1, 1, "Bonne idée, le mercredi aussi.", 1),
    (0, 5, "Les enfants de l'école Jules-Ferry seraient ravis.", None),
)


def load_sample_participation(round_: Round, report: ImportReport) -> None:
    """Fill a freshly created sample round; called once, right after it is created."""
    now = utcnow()
    residents = [
        User(
            email=None,
            display_name=name,
            password_hash=None,
            role=Role.RESIDENT,
            email_confirmed_at=now,
            notify_by_email=False,
        )
        for name in RESIDENTS
    ]
    db.session.add_all(residents)
    db.session.flush()
    pillars = {p.slug: p for p in db.session.scalars(select(Pillar))}
    places = {n.slug: n for n in db.session.scalars(select(Neighbourhood))}
    proposals = []
    for title, text, pillar, place, author, supporters in PROPOSALS:
        neighbourhood = places.get(place)
        proposal = add_proposal(
            round_,
            ProposalInput(
                title, text, pillars[pillar].id, neighbourhood.id if neighbourhood else None
            ),
            author=residents[author],
        )
        proposal.is_sample = True
        for index in supporters:
            support(proposal, residents[index])
        proposals.append(proposal)
        report.record("sample proposals", "created")
    comments = []
    for proposal_index, author, text, parent in COMMENTS:
        comment = add_comment(
            proposals[proposal_index],
            residents[author],
            text,
            parent=comments[parent] if parent is not None else None,
        )
        comments.append(comment)
    moderator = User(
        email=None,
        display_name="Service Smart City (exemple)",
        password_hash=None,
        role=Role.MODERATOR,
        email_confirmed_at=now,
        notify_by_email=False,
        # Staff act only with two-factor on (policy.has_role); this account has no password and
        # never signs in, and its secret is shown nowhere.
        totp_secret=pyotp.random_base32(),
        two_factor_enabled_at=now,
    )
    db.session.add(moderator)
    db.session.flush()
    state.transition(
        proposals[-1],
        ProposalStatus.RETAINED,
        moderator,
        "Exemple de réponse : la Ville étudie l'ouverture d'une accorderie au centre social.",
    )
    db.session.flush()
