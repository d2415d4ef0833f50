"""French text as the search index reads it, in Python: the same meaning as PostgreSQL's
``french_unaccent`` configuration (the parser's words, accents removed, then the French Snowball
stemmer, with PostgreSQL's French stop words), so that SQLite's index and every query are built
the way PostgreSQL builds its own.

A query follows the web-search syntax: words (all required), ``"a phrase"``, ``-word`` (excluded)
and ``or`` between two terms. The last word also matches as a prefix (what is being typed), and
a word matches its singular and its plural (the stemmer keeps "vélos" apart from "vélo").
"""

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import snowballstemmer

# PostgreSQL's ``french.stop`` (the Snowball list), checked after accents are removed, as
# ``unaccent`` runs before the stemmer's stop list there.
STOP_WORDS = frozenset(
    [
        "au",
        "aux",
        "avec",
        "ce",
        "ces",
        "dans",
        "de",
        "des",
        "du",
        "elle",
        "en",
        "et",
        "eux",
        "il",
        "je",
        "la",
        "le",
        "leur",
        "lui",
        "ma",
        "mais",
        "me",
        "même",
        "mes",
        "moi",
        "mon",
        "ne",
        "nos",
        "notre",
        "nous",
        "on",
        "ou",
        "par",
        "pas",
        "pour",
        "qu",
        "que",
        "qui",
        "sa",
        "se",
        "ses",
        "son",
        "sur",
        "ta",
        "te",
        "tes",
        "toi",
        "ton",
        "tu",
        "un",
        "une",
        "vos",
        "votre",
        "vous",
        "c",
        "d",
        "j",
        "l",
        "à",
        "m",
        "n",
        "s",
        "t",
        "y",
        "été",
        "étée",
        "étées",
        "étés",
        "étant",
        "étante",
        "étants",
        "étantes",
        "suis",
        "es",
        "est",
        "sommes",
        "êtes",
        "sont",
        "serai",
        "seras",
        "sera",
        "serons",
        "serez",
        "seront",
        "serais",
        "serait",
        "serions",
        "seriez",
        "seraient",
        "étais",
        "était",
        "étions",
        "étiez",
        "étaient",
        "fus",
        "fut",
        "fûmes",
        "fûtes",
        "furent",
        "sois",
        "soit",
        "soyons",
        "soyez",
        "soient",
        "fusse",
        "fusses",
        "fût",
        "fussions",
        "fussiez",
        "fussent",
        "ayant",
        "ayante",
        "ayantes",
        "ayants",
        "eu",
        "eue",
        "eues",
        "eus",
        "ai",
        "as",
        "avons",
        "avez",
        "ont",
        "aurai",
        "auras",
        "aura",
        "aurons",
        "aurez",
        "auront",
        "aurais",
        "aurait",
        "aurions",
        "auriez",
        "auraient",
        "avais",
        "avait",
        "avions",
        "aviez",
        "avaient",
        "eut",
        "eûmes",
        "eûtes",
        "eurent",
        "aie",
        "aies",
        "ait",
        "ayons",
        "ayez",
        "aient",
        "eusse",
        "eusses",
        "eût",
        "eussions",
        "eussiez",
        "eussent",
    ]
)
# Where a stop word stood in SQLite's index, so that a phrase keeps PostgreSQL's distances.
GAP = "x0"
WORD = re.compile(r"\w+")
_stemmer = snowballstemmer.stemmer("french")


def fold(text: str) -> str:
    """Lower case, without accents (``unaccent``)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The folded words of ``text``, split as PostgreSQL's parser does (apostrophes, hyphens)."""
    return WORD.findall(fold(text or ""))


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    return _stemmer.stemWord(word)


@lru_cache(maxsize=50_000)
def indexed_form(word: str) -> str:
    """A word of a text as the index keeps it: folded, then stemmed."""
    return stem(fold(word))


def indexed_text(text: str | None) -> str:
    """``text`` as SQLite's index stores it: stems, and a gap for each stop word."""
    return " ".join(GAP if w in STOP_WORDS else stem(w) for w in words(text or ""))


def significant_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in STOP_WORDS]


def forms(word: str) -> tuple[str, ...]:
    """A word and its singular or plural: "velos" and "velo"."""
    if len(word) > 3 and word[-1] in "sx":
        return (word, word[:-1])
    return (word, word + "s") if len(word) > 2 else (word,)


def singular(word: str) -> str:
    """A plural's singular, before stemming (the stemmer gives "vergers" and "verger" apart)."""
    return word[:-1] if len(word) > 3 and word[-1] in "sx" else word


@dataclass
class Term:
    """A word (its forms) or a phrase; excluded or not; joined to the previous term by OR."""

    words: list[str]
    phrase: bool = False
    excluded: bool = False
    or_previous: bool = False
    prefix: bool = False


@dataclass
class Query:
    terms: list[Term] = field(default_factory=list)

    def __bool__(self) -> bool:
        return any(not t.excluded for t in self.terms)

    @property
    def highlighted(self) -> set[str]:
        """The stems a result's excerpt marks."""
        return {stem(f) for t in self.terms if not t.excluded for w in t.words for f in forms(w)}


TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def parse(text: str) -> Query:
    """Read a query typed in the web-search syntax."""
    query, or_next = Query(), False
    for excluded, phrase, bare in TOKEN.findall((text or "")[:200]):
        if bare and bare.lower() == "or":
            or_next = bool(query.terms)
            continue
        negated = bool(excluded) or bare.startswith("-")
        found = words(phrase if phrase or excluded else bare)
        kept = [w for w in found if w not in STOP_WORDS]
        if not kept:
            continue
        # Stop words at either end say nothing ("l'école" is "école").
        found = found[found.index(kept[0]) : len(found) - found[::-1].index(kept[-1])]
        is_phrase = len(found) > 1
        query.terms.append(
            Term(
                words=found if is_phrase else kept,
                phrase=is_phrase,
                excluded=negated,
                or_previous=or_next,
            )
        )
        or_next = False
    last = query.terms[-1] if query.terms else None
    if last and not last.phrase and not last.excluded and not (text or "").endswith((" ", '"')):
        last.prefix = True
    return query


def any_of(found: list[str]) -> Query:
    """A query matching any of ``found`` (folded words): the candidates of a similarity search."""
    kept = [w for w in found if w not in STOP_WORDS]
    return Query([Term([w], or_previous=i > 0) for i, w in enumerate(kept)])
