"""Parser for the 2018 Smart Days brochure, as extracted to text (seed 001).

The extraction has known defects (see ``shared/seeds/README.md``) that are handled here rather than
hand-edited away, so that the shipped file stays byte-identical to the city's document:

- three pillar headings are missing: a section also starts where a context block follows a list
  of proposals, and its pillar is inferred from its words among the pillars not named elsewhere;
- headings carry stray prefixes (``I ``, ``>``) and whitespace;
- one context block repeats the previous section's verbatim: it is dropped, not attributed;
- the food pillar's context is titled "LES ENJEUX" instead of "LE CONTEXTE";
- one proposal appears under two pillars: it is kept in both, as in the brochure (83 in all).
"""

import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"
SHIPPED_SEED = DATA_DIR / "smart_days_2018.txt"

EXPECTED_PILLARS = 7
EXPECTED_PROPOSALS = 83


class SmartDaysFormatError(ValueError):
    """The text is not the 2018 Smart Days brochure this parser knows how to read."""


@dataclass(frozen=True)
class PillarDefinition:
    """One of the seven pillars, in the official order of the city's Smart City page (seed 000)."""

    slug: str
    name_fr: str
    name_en: str
    position: int
    # Accent-free word starts that point to this pillar when its heading is missing.
    keywords: tuple[str, ...]


def _keywords(text: str) -> tuple[str, ...]:
    return tuple(word.strip() for word in text.split(","))


PILLARS: tuple[PillarDefinition, ...] = (
    PillarDefinition(
        slug="habitat-environnement",
        name_fr="Habitat / Environnement",
        name_en="Housing / Environment",
        position=1,
        keywords=_keywords(
            "logement, batiment, immeuble, construire, construction, energ, espaces verts, "
            "biodiversite, pollution, dechet, compost, vegeta, ferme, ruche, eco-materiau, "
            "passoire, climat"
        ),
    ),
    PillarDefinition(
        slug="mobilite-transports",
        name_fr="Mobilité / Transports",
        name_en="Mobility / Transport",
        position=2,
        keywords=_keywords(
            "transport, deplacement, velo, bus, navette, trajet, parking, stationnement, "
            "trottinette, trottoir, voirie, logistique, camion, port fluvial, pieton, circulation"
        ),
    ),
    PillarDefinition(
        slug="education-emploi",
        name_fr="Éducation / Emploi",
        name_en="Education / Employment",
        position=3,
        keywords=_keywords(
            "ecole, scolaire, etudiant, universite, formation, metier, travail, chomage, "
            "entreprise, start-up, industrie, incubateur, decroch, tiers-lieu, coworking, "
            "investissement, tourisme, apprentissage, ingenieur"
        ),
    ),
    PillarDefinition(
        slug="alimentation-consommation",
        name_fr="Alimentation / Consommation",
        name_en="Food / Consumption",
        position=4,
        keywords=_keywords(
            "aliment, assiette, ingredient, consomm, commerc, circuits courts, circuit court, "
            "produit, vente, cooperative, saison, bio, facture, poubelle"
        ),
    ),
    PillarDefinition(
        slug="loisirs-culture",
        name_fr="Loisirs / Culture",
        name_en="Leisure / Culture",
        position=5,
        keywords=_keywords(
            "loisir, cultur, patrimoine, musee, bibliotheque, artiste, exposition, concert, "
            "spectacle, billet, photo, associati, sport, realite virtuelle"
        ),
    ),
    PillarDefinition(
        slug="sante-bien-etre",
        name_fr="Santé / Bien-être",
        name_en="Health / Well-being",
        position=6,
        keywords=_keywords(
            "sante, medical, medecin, telemedecine, specialite, senior, personnes agees, handicap, "
            "accessible, sport, physique, delinquance, securite, videosurveillance, intergeneration"
        ),
    ),
    PillarDefinition(
        slug="entraide-solidarite",
        name_fr="Entraide / Solidarité",
        name_en="Mutual aid / Solidarity",
        position=7,
        keywords=_keywords(
            "entraide, solidari, pauvrete, lien social, social, echange, benevol, numerique, "
            "accompagnement, chomeur, seconde chance, accorderie, generation"
        ),
    ),
)


@dataclass
class ParsedPillar:
    """One pillar section of the brochure, with its lines cleaned of extraction noise."""

    definition: PillarDefinition
    context: list[str]
    objectives: list[str]
    proposals: list[str]
    # The heading as printed (prefixes removed), or None when it was missing and inferred.
    heading: str | None
    # True when this section's context block was a repeat of an earlier one, hence dropped.
    context_repeated: bool = False

    @property
    def slug(self) -> str:
        return self.definition.slug

    @property
    def name_fr(self) -> str:
        return self.definition.name_fr

    @property
    def name_en(self) -> str:
        return self.definition.name_en

    @property
    def position(self) -> int:
        return self.definition.position

    @property
    def heading_inferred(self) -> bool:
        return self.heading is None


@dataclass
class SmartDaysBrochure:
    """The parsed brochure: its introduction and its pillar sections, in brochure order."""

    intro: list[str]
    pillars: list[ParsedPillar]

    @property
    def lead(self) -> str:
        """The brochure's opening paragraph (the first one that is real prose)."""
        return next((p for p in self.intro if len(p) >= 200), "")

    @property
    def proposals(self) -> list[tuple[ParsedPillar, str]]:
        """Every proposal in brochure order, numbered 1.. by the council, with its pillar."""
        return [(pillar, text) for pillar in self.pillars for text in pillar.proposals]

    def pillar(self, slug: str) -> ParsedPillar:
        return next(p for p in self.pillars if p.slug == slug)


# --- text helpers ------------------------------------------------------------------------------


def _fold(text: str) -> str:
    """Lower-case, accent-free, punctuation-free text, for comparing and keyword matching."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^a-z0-9%/-]+", " ", plain).split())


def _clean(text: str) -> str:
    # Collapses runs of spaces, tabs and no-break spaces left by the extraction.
    return " ".join(text.split())


# "I " (a stray list marker) and ">" before headings and block titles.
_PREFIX = re.compile(r"^(?:\s*(?:>|»|▶|I(?=\s)))+\s*")
_BULLET = re.compile(r"^\s*[-–•]\s*")

_BLOCKS = {
    "le contexte": "context",
    # The food pillar's context is titled "LES ENJEUX" (the stakes).
    "les enjeux": "context",
    "les objectifs de 2030": "objectives",
    "les propositions": "proposals",
}


def _words(name: str) -> frozenset[str]:
    return frozenset(re.findall(r"[a-z0-9-]+", _fold(name)))


# A heading names a pillar's two words in either order ("SOLIDARITÉ / ENTRAIDE" is Entraide).
_HEADINGS = {_words(p.name_fr): p for p in PILLARS}


def _strip_prefix(line: str) -> str:
    return _clean(_PREFIX.sub("", line))


def _heading_pillar(line: str) -> PillarDefinition | None:
    return _HEADINGS.get(_words(_strip_prefix(line)))


def _block_kind(line: str) -> str | None:
    return _BLOCKS.get(_fold(_strip_prefix(line)))


# --- parsing -----------------------------------------------------------------------------------


@dataclass
class _Section:
    heading: str | None = None
    definition: PillarDefinition | None = None
    blocks: dict[str, list[str]] = field(
        default_factory=lambda: {"context": [], "objectives": [], "proposals": []}
    )
    titled: set[str] = field(default_factory=set)

    @property
    def is_empty(self) -> bool:
        return not self.titled


def _split_sections(text: str) -> tuple[list[str], list[_Section]]:
    intro: list[str] = []
    sections: list[_Section] = []
    current: _Section | None = None
    block: str | None = None

    for number, raw in enumerate(text.splitlines(), start=1):
        line = _clean(raw)
        if not line:
            continue
        definition = None if _BULLET.match(raw) else _heading_pillar(line)
        if definition is not None:
            if current is None or not current.is_empty or current.heading is not None:
                current = _Section()
                sections.append(current)
            current.heading, current.definition = _strip_prefix(line), definition
            block = None
            continue
        kind = _block_kind(line)
        if kind is not None:
            # A block that comes back, or a context after the objectives or proposals, starts
            # the next section: this is how the sections whose heading is missing are found.
            starts_section = current is None or kind in current.titled
            if kind == "context" and current is not None:
                starts_section = starts_section or bool(current.titled - {"context"})
            if kind == "objectives" and current is not None:
                starts_section = starts_section or "proposals" in current.titled
            if starts_section:
                current = _Section()
                sections.append(current)
            current.titled.add(kind)
            block = kind
            continue
        if current is None:
            intro.append(line)
            continue
        bullet = _BULLET.match(raw)
        if bullet and block is not None:
            item = _clean(raw[bullet.end() :])
            if item:
                current.blocks[block].append(item)
        elif block is not None and current.blocks[block]:
            # A bullet's text wrapped onto the next line by the extraction.
            current.blocks[block][-1] = f"{current.blocks[block][-1]} {line}"
        else:
            raise SmartDaysFormatError(f"Unexpected line {number} in a pillar section: {line!r}")
    return intro, sections


def _score(section: _Section, definition: PillarDefinition) -> int:
    text = _fold(" ".join(itertools.chain.from_iterable(section.blocks.values())))
    return sum(
        len(re.findall(r"(?<![a-z0-9])" + re.escape(keyword), text))
        for keyword in definition.keywords
    )


def _inversions(order: list[int]) -> int:
    return sum(1 for a, b in itertools.combinations(order, 2) if a > b)


def _assign_missing_headings(sections: list[_Section]) -> None:
    named = [s.definition for s in sections if s.definition is not None]
    duplicates = {d.name_fr for d in named if named.count(d) > 1}
    if duplicates:
        raise SmartDaysFormatError(f"Pillar heading found twice: {', '.join(sorted(duplicates))}")
    missing = [s for s in sections if s.definition is None]
    # With 7 sections and no heading twice, there are as many candidates as missing headings.
    candidates = [p for p in PILLARS if p not in named]
    if not missing:
        return

    scores = [{d.slug: _score(s, d) for d in candidates} for s in missing]

    # Best total keyword score over the pillars not named by a heading; on a tie, the
    # assignment closest to the known order of the pillars.
    def rank(choice: tuple[PillarDefinition, ...]) -> tuple[int, int]:
        total = sum(score[d.slug] for score, d in zip(scores, choice, strict=True))
        return total, -_inversions([d.position for d in choice])

    best = max(itertools.permutations(candidates, len(missing)), key=rank)
    for section, definition in zip(missing, best, strict=True):
        section.definition = definition


def _drop_repeated_contexts(sections: list[_Section]) -> set[int]:
    """Empty the context blocks that repeat an earlier section's; return those sections' indexes."""
    seen: list[list[str]] = []
    repeated: set[int] = set()
    for index, section in enumerate(sections):
        folded = [_fold(line) for line in section.blocks["context"]]
        if folded and folded in seen:
            section.blocks["context"] = []
            repeated.add(index)
        elif folded:
            seen.append(folded)
    return repeated


def _check_counts(sections: list[_Section]) -> None:
    total = sum(len(s.blocks["proposals"]) for s in sections)
    if len(sections) != EXPECTED_PILLARS or total != EXPECTED_PROPOSALS:
        raise SmartDaysFormatError(
            f"Expected {EXPECTED_PILLARS} pillar sections and {EXPECTED_PROPOSALS} proposals, "
            f"found {len(sections)} sections and {total} proposals."
        )


def _check_sections(sections: list[_Section]) -> None:
    for section in sections:
        if not section.blocks["objectives"] or not section.blocks["proposals"]:
            name = section.definition.name_fr
            raise SmartDaysFormatError(f"The section {name!r} has no objectives or no proposals.")


def parse_smart_days_2018(text: str) -> SmartDaysBrochure:
    """Read the brochure; raise ``SmartDaysFormatError`` unless it has 7 pillars, 83 proposals."""
    intro, sections = _split_sections(text)
    if not sections:
        raise SmartDaysFormatError("No pillar section found in the text.")
    _check_counts(sections)
    # Repeats go first: a borrowed context must not sway the inference of a missing heading.
    repeated = _drop_repeated_contexts(sections)
    _assign_missing_headings(sections)
    _check_sections(sections)
    pillars = [
        ParsedPillar(
            definition=section.definition,
            context=section.blocks["context"],
            objectives=section.blocks["objectives"],
            proposals=section.blocks["proposals"],
            heading=section.heading,
            context_repeated=index in repeated,
        )
        for index, section in enumerate(sections)
    ]
    return SmartDaysBrochure(intro=intro, pillars=pillars)


def read_shipped_text() -> str:
    """The copy of seed 001 shipped inside the package (byte-identical to the original)."""
    return SHIPPED_SEED.read_text(encoding="utf-8")
