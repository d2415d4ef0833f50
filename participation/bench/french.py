"""French text for generated proposals and comments: varied enough that search, similar
proposals and the pages' rendering meet the vocabulary, the accents and the lengths of real ones.

Titles combine an idea of a pillar, a qualifier and a place, so that some titles repeat (as real
duplicates do) while most differ; bodies follow a resident's usual order: what they see, what they
propose, what it would change.
"""

import random

# Per pillar (by slug): ideas as a title starts them, then what a body says of them.
IDEAS = {
    "habitat-environnement": (
        "Créer un jardin partagé",
        "Planter des arbres fruitiers",
        "Installer des composteurs collectifs",
        "Végétaliser les cours d'école",
        "Rénover les logements énergivores",
        "Poser des panneaux solaires sur les toits publics",
        "Aménager une ferme urbaine",
        "Installer des ruches",
        "Récupérer l'eau de pluie",
        "Créer un îlot de fraîcheur",
        "Désimperméabiliser les parkings",
        "Ouvrir une ressourcerie",
        "Multiplier les poubelles de tri",
        "Protéger les haies et les mares",
        "Éteindre l'éclairage public la nuit",
    ),
    "mobilite-transports": (
        "Créer une piste cyclable continue",
        "Installer des abris à vélos sécurisés",
        "Mettre en place une navette gratuite",
        "Piétonniser les rues commerçantes",
        "Ajouter des bornes de recharge électrique",
        "Sécuriser les passages piétons",
        "Limiter la vitesse à 30 km/h",
        "Développer le covoiturage",
        "Prolonger les lignes de bus le soir",
        "Aménager des rues scolaires",
        "Louer des vélos à assistance électrique",
        "Créer un parking relais",
        "Élargir les trottoirs",
        "Rendre les arrêts de bus accessibles",
        "Afficher les horaires en temps réel",
    ),
    "education-emploi": (
        "Ouvrir un tiers-lieu numérique",
        "Proposer des ateliers de codage",
        "Créer un forum des métiers",
        "Accompagner les jeunes vers l'apprentissage",
        "Ouvrir les cours d'école le week-end",
        "Installer un espace de coworking",
        "Organiser du soutien scolaire gratuit",
        "Former les seniors au numérique",
        "Créer une pépinière d'entreprises",
        "Développer les stages en entreprise",
        "Équiper les écoles de tableaux numériques",
        "Ouvrir une école de la deuxième chance",
        "Créer un campus connecté",
        "Valoriser les métiers de l'artisanat",
    ),
    "alimentation-consommation": (
        "Ouvrir un marché de producteurs locaux",
        "Servir des repas bio à la cantine",
        "Lutter contre le gaspillage alimentaire",
        "Créer une épicerie solidaire",
        "Installer un distributeur de produits fermiers",
        "Soutenir les commerces de proximité",
        "Organiser un repair café",
        "Créer une monnaie locale",
        "Développer la vente en vrac",
        "Planter un verger communal",
        "Ouvrir une cuisine partagée",
        "Installer des frigos solidaires",
        "Organiser des ateliers de cuisine",
        "Créer une halle gourmande",
    ),
    "loisirs-culture": (
        "Organiser des concerts gratuits",
        "Rénover la médiathèque",
        "Créer un festival de quartier",
        "Installer des boîtes à livres",
        "Ouvrir un skatepark",
        "Aménager une aire de jeux inclusive",
        "Projeter du cinéma en plein air",
        "Valoriser le beffroi et le patrimoine",
        "Créer un parcours de street art",
        "Ouvrir une salle de répétition",
        "Installer des agrès de sport en plein air",
        "Organiser une fête des associations",
        "Créer une ludothèque",
        "Prolonger les horaires de la piscine",
        "Animer les berges du canal",
    ),
    "sante-bien-etre": (
        "Ouvrir une maison de santé",
        "Installer des défibrillateurs",
        "Créer un parcours sportif",
        "Proposer du sport sur ordonnance",
        "Lutter contre les déserts médicaux",
        "Organiser des dépistages gratuits",
        "Réduire le bruit la nuit",
        "Mesurer la qualité de l'air",
        "Créer des bancs à l'ombre",
        "Ouvrir des toilettes publiques",
        "Accompagner les aidants",
        "Développer la téléconsultation",
        "Proposer des cours de yoga dans les parcs",
        "Prévenir les addictions chez les jeunes",
    ),
    "entraide-solidarite": (
        "Créer un réseau de voisins solidaires",
        "Ouvrir une maison des associations",
        "Organiser des visites aux personnes isolées",
        "Créer une banque du temps",
        "Développer l'habitat intergénérationnel",
        "Accueillir les nouveaux habitants",
        "Installer une conciergerie solidaire",
        "Aider aux démarches administratives",
        "Créer un annuaire des bénévoles",
        "Organiser une collecte de vêtements",
        "Ouvrir un café des parents",
        "Proposer un transport solidaire",
        "Rendre les services accessibles aux personnes handicapées",
        "Créer un fonds pour les projets de jeunes",
    ),
}

QUALIFIERS = (
    "",
    "",
    "",
    " pour tous",
    " avec les habitants",
    " toute l'année",
    " le week-end",
    " pour les familles",
    " pour les enfants",
    " pour les seniors",
    " en soirée",
    " dès 2026",
    " à moindre coût",
)

PLACES = (
    "",
    "",
    " en centre-ville",
    " près de la gare",
    " au Mont-Liébaut",
    " à Catorive",
    " au Perroy",
    " à Saint-Pry",
    " au Vertbois",
    " rue d'Arras",
    " rue de Lille",
    " place Clemenceau",
    " sur la Grand-Place",
    " autour du beffroi",
    " le long du canal",
    " près de l'hôpital",
    " près du lycée",
    " au parc de la Loisne",
    " boulevard Poincaré",
    " près de la piscine",
    " dans les écoles",
    " dans chaque quartier",
    " aux abords des collèges",
    " faubourg d'Arras",
    " près du marché",
    " derrière la mairie",
    " autour de la place Lamartine",
    " sur l'avenue de Bruay",
)

OBSERVATIONS = {
    "habitat-environnement": (
        "Les espaces verts manquent{place} et les étés sont de plus en plus chauds.",
        "Beaucoup de logements anciens sont de vraies passoires thermiques.",
        "Les déchets verts finissent trop souvent dans les ordures ménagères.",
        "Le béton domine{place} : l'eau ruisselle et les sols ne respirent plus.",
        "Les factures d'énergie pèsent lourd sur les ménages modestes.",
    ),
    "mobilite-transports": (
        "Circuler à vélo{place} reste dangereux aux heures de pointe.",
        "Les bus s'arrêtent trop tôt le soir et les horaires ne sont pas affichés.",
        "Les voitures roulent vite devant les écoles et les trottoirs sont encombrés.",
        "Le stationnement{place} est saturé dès huit heures du matin.",
        "Sans voiture, rejoindre la zone d'activités est presque impossible.",
    ),
    "education-emploi": (
        "Les jeunes du quartier peinent à trouver un stage ou un premier emploi.",
        "Beaucoup de seniors se sentent perdus devant les démarches en ligne.",
        "Les entreprises locales cherchent des apprentis sans les trouver.",
        "Il n'existe aucun lieu calme pour travailler ou réviser{place}.",
        "Les écoles manquent d'équipements numériques récents.",
    ),
    "alimentation-consommation": (
        "Les producteurs des environs vendent peu en ville faute de lieu adapté.",
        "La cantine jette chaque jour des dizaines de repas.",
        "Les commerces de proximité ferment les uns après les autres{place}.",
        "Des familles n'ont pas accès à des fruits et légumes frais à prix abordable.",
        "On jette des objets qui pourraient être réparés en une heure.",
    ),
    "loisirs-culture": (
        "Les adolescents n'ont pas d'endroit à eux{place}.",
        "La médiathèque est trop petite et ferme tôt.",
        "Le patrimoine de Béthune est méconnu, même de ses habitants.",
        "Les associations culturelles manquent de salles pour répéter.",
        "Les animations se concentrent en centre-ville et oublient les quartiers.",
    ),
    "sante-bien-etre": (
        "Il faut des semaines pour obtenir un rendez-vous chez un médecin.",
        "Le bruit des deux-roues empêche de dormir{place}.",
        "Les personnes âgées n'ont nulle part où s'asseoir à l'ombre.",
        "Beaucoup d'habitants voudraient bouger plus mais ne savent pas où commencer.",
        "Personne ne sait si l'air que l'on respire{place} est bon.",
    ),
    "entraide-solidarite": (
        "De nombreuses personnes âgées vivent seules et ne voient personne.",
        "Les nouveaux arrivants ne savent pas à qui s'adresser.",
        "Les bénévoles existent, mais ils ne savent pas qui a besoin d'eux.",
        "Les démarches en ligne excluent ceux qui n'ont pas d'ordinateur.",
        "Les associations du quartier travaillent chacune de leur côté.",
    ),
}

GENERAL_OBSERVATIONS = (
    "J'habite{place} depuis quinze ans et la situation ne s'améliore pas.",
    "Nous en avons parlé entre voisins lors de la dernière réunion de quartier.",
    "D'autres villes de la région l'ont déjà fait avec succès.",
    "C'est une demande qui revient souvent à la sortie de l'école.",
    "Le sujet a été abordé pendant les Smart Days, sans suite concrète depuis.",
)

DETAILS = (
    "Le projet pourrait démarrer à petite échelle, puis s'étendre s'il fonctionne.",
    "Les associations du quartier sont prêtes à participer.",
    "Un budget modeste suffirait pour une première année d'essai.",
    "Il faudrait associer les écoles et les commerçants dès le départ.",
    "La Ville pourrait mettre à disposition un terrain ou un local inoccupé.",
    "Un comité d'habitants pourrait suivre le projet et en rendre compte.",
    "Des panneaux expliqueraient la démarche aux passants.",
    "Les travaux pourraient avoir lieu pendant les vacances scolaires.",
    "On pourrait s'inspirer de ce qui existe à Arras ou à Lille.",
    "Les services techniques de la Ville connaissent déjà l'emplacement.",
    "Un financement régional ou européen est peut-être possible.",
    "Une consultation des riverains permettrait d'ajuster le projet.",
)

BENEFITS = (
    "Cela rendrait la ville plus agréable pour tout le monde.",
    "Les familles et les enfants seraient les premiers à en profiter.",
    "Ce serait aussi un moyen de créer du lien entre voisins.",
    "La dépense serait vite compensée par les économies réalisées.",
    "Le quartier gagnerait en attractivité.",
    "Ce serait un geste concret pour le climat.",
    "Les personnes à mobilité réduite y gagneraient beaucoup.",
    "Cela donnerait envie aux jeunes de rester à Béthune.",
    "La sécurité de tous s'en trouverait améliorée.",
    "Ce serait un beau symbole pour Béthune à 2032.",
)

CLOSINGS = (
    "Merci de votre attention.",
    "Qu'en pensez-vous ?",
    "Je suis disponible pour en discuter.",
    "N'hésitez pas à compléter cette idée.",
    "",
    "",
    "",
)

COMMENT_OPENINGS = (
    "Très bonne idée !",
    "Je soutiens cette proposition.",
    "Bonne idée, mais",
    "Je ne suis pas convaincu :",
    "Entièrement d'accord.",
    "Merci pour cette proposition.",
    "Attention toutefois :",
    "Enfin quelqu'un qui en parle !",
    "Pourquoi pas,",
    "C'est indispensable.",
    "Je me permets de compléter :",
    "Bravo.",
)

COMMENT_BODIES = (
    "il faudrait penser à l'entretien sur la durée.",
    "qui va financer le projet ?",
    "mes enfants passent par là tous les jours.",
    "la même chose existe à Lens et ça marche très bien.",
    "il faut aussi penser aux personnes âgées.",
    "le quartier de la gare en a encore plus besoin.",
    "je suis prêt à donner un coup de main.",
    "attention au bruit pour les riverains.",
    "ce serait bien de le faire avant l'été.",
    "les commerçants devraient être consultés.",
    "on en parle depuis des années sans rien voir venir.",
    "il faudrait prévoir un accès pour les fauteuils roulants.",
    "pensez aux horaires d'ouverture le soir.",
    "une version plus simple suffirait pour commencer.",
    "c'est exactement ce qui manque au Mont-Liébaut.",
    "les associations pourraient s'en occuper.",
    "le parking est déjà saturé, il faut une solution.",
    "les écoles seraient partantes, j'en suis sûr.",
    "j'ai vu un projet semblable à Béthune il y a dix ans.",
    "le coût me paraît élevé pour la Ville.",
)

COMMENT_CLOSINGS = ("", "", "", " Merci !", " À suivre.", " Courage !", " +1")

FIRST_NAMES = (
    "Camille",
    "Léa",
    "Manon",
    "Chloé",
    "Emma",
    "Inès",
    "Louise",
    "Jade",
    "Sarah",
    "Julie",
    "Nathalie",
    "Isabelle",
    "Sylvie",
    "Martine",
    "Françoise",
    "Yasmina",
    "Fatima",
    "Aurélie",
    "Céline",
    "Élodie",
    "Hugo",
    "Lucas",
    "Louis",
    "Gabriel",
    "Arthur",
    "Jules",
    "Nathan",
    "Théo",
    "Mathis",
    "Karim",
    "Mehdi",
    "Julien",
    "Nicolas",
    "Thomas",
    "Olivier",
    "Philippe",
    "Jean-Pierre",
    "Bernard",
    "Didier",
    "François",
    "Jérôme",
    "Sébastien",
    "Stéphane",
    "Rémi",
    "Benoît",
)


def title(rng: random.Random, pillar: str) -> str:
    return f"{rng.choice(IDEAS[pillar])}{rng.choice(QUALIFIERS)}{rng.choice(PLACES)}"[:150]


def body(rng: random.Random, pillar: str, idea_title: str) -> str:
    """Two to four paragraphs in Markdown, the way residents write them."""
    place = rng.choice(PLACES)
    seen = rng.choice(OBSERVATIONS[pillar]).format(place=place)
    if rng.random() < 0.5:
        seen += " " + rng.choice(GENERAL_OBSERVATIONS).format(place=place)
    idea = idea_title[0].lower() + idea_title[1:]
    of = "d'" if idea[0] in "aeéèêiîouh" else "de "
    proposed = f"Je propose {of}{idea}. " + " ".join(rng.sample(DETAILS, rng.randint(1, 3)))
    paragraphs = [seen, proposed, " ".join(rng.sample(BENEFITS, rng.randint(1, 2)))]
    if rng.random() < 0.2:
        paragraphs.append("\n".join(f"- {d}" for d in rng.sample(DETAILS, 3)))
    closing = rng.choice(CLOSINGS)
    if closing:
        paragraphs.append(closing)
    return "\n\n".join(paragraphs)


def comment(rng: random.Random) -> str:
    text = f"{rng.choice(COMMENT_OPENINGS)} {rng.choice(COMMENT_BODIES)}"
    if rng.random() < 0.3:
        extra = rng.choice(COMMENT_BODIES)
        text += f" Et {extra}"
    return text + rng.choice(COMMENT_CLOSINGS)


def display_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {chr(rng.randrange(26) + 65)}."
