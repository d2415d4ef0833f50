"""The search index and the SQL that queries it, for each database, with the same meaning.

PostgreSQL stores a ``search_vector`` column generated from ``title`` (weight A) and ``body``
(weight B) in the ``french_unaccent`` configuration (``unaccent`` then the French stemmer), with a
GIN index: the database keeps it in step with every insert and change. SQLite keeps an FTS5 table per searched table, filled
by triggers through the ``french_terms`` function (``french.indexed_text``) that each connection
registers (``database.py``). Both are created by the migrations (``postgresql_ddl``,
``sqlite_ddl``). Visibility is never indexed but read from the rows themselves, so hiding,
withdrawing or merging a proposal needs no re-indexing.

On SQLite, a migration that rebuilds one of these tables (batch mode) drops its triggers: it
must run ``sqlite_ddl(table)`` again.
"""

from sqlalchemy import ColumnElement, column, func, literal, literal_column, select, table

from ..extensions import db
from . import french

CONFIG_NAME = "french_unaccent"
CONFIG = literal_column(f"'{CONFIG_NAME}'::regconfig")
# The tables searched, and their SQLite index tables (FTS5 adds its shadow tables).
INDEXED = {"proposals": "proposal_search", "deliberations": "deliberation_search"}
SHADOW = ("data", "idx", "content", "docsize", "config")
# PostgreSQL's column of each searched table (generated from its title and body).
VECTOR = "search_vector"
# PostgreSQL's index of the visible proposals' words by round (btree_gin): a search in a
# round's list finds and counts its matches there, not in every round's matches and the
# round's proposals both.
ROUND_SEARCH = "ix_proposals_visible_round_search"
INDEX_OBJECTS = frozenset(
    [VECTOR, ROUND_SEARCH]
    + [f"ix_{name}_search" for name in INDEXED]
    + list(INDEXED.values())
    + [f"{fts}_{suffix}" for fts in INDEXED.values() for suffix in SHADOW]
)


# Expression indexes SQLite cannot reflect: declared by the models, compared by nobody.
UNREFLECTED = frozenset({"ix_proposals_visible_supports", "ix_proposals_to_decide_supports"})


def include_object(_object, name, type_, _reflected, _compare_to) -> bool:
    """For Alembic: the search index is the migrations' own, not the models'."""
    return name not in INDEX_OBJECTS | UNREFLECTED


def postgresql_ddl(name: str) -> list[str]:
    # Stored, so that a filter or a rank reads the vector instead of stemming the text again.
    return [
        f"ALTER TABLE {name} ADD COLUMN {VECTOR} tsvector GENERATED ALWAYS AS ("
        f"setweight(to_tsvector('{CONFIG_NAME}', coalesce(title, '')), 'A') || "
        f"setweight(to_tsvector('{CONFIG_NAME}', coalesce(body, '')), 'B')) STORED",
        f"CREATE INDEX ix_{name}_search ON {name} USING gin ({VECTOR})",
    ]


def sqlite_ddl(name: str) -> list[str]:
    fts = INDEXED[name]
    values = "new.id, french_terms(new.title), french_terms(new.body)"
    return [
        f"DROP TRIGGER IF EXISTS {fts}_insert",
        f"DROP TRIGGER IF EXISTS {fts}_update",
        f"DROP TRIGGER IF EXISTS {fts}_delete",
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5(title, body, "
        "tokenize = 'unicode61 remove_diacritics 2')",
        f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {name} BEGIN "
        f"INSERT INTO {fts} (rowid, title, body) VALUES ({values}); END",
        f"CREATE TRIGGER {fts}_update AFTER UPDATE OF title, body ON {name} BEGIN "
        f"DELETE FROM {fts} WHERE rowid = old.id; "
        f"INSERT INTO {fts} (rowid, title, body) VALUES ({values}); END",
        f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {name} BEGIN "
        f"DELETE FROM {fts} WHERE rowid = old.id; END",
        f"DELETE FROM {fts}",
        f"INSERT INTO {fts} (rowid, title, body) "
        f"SELECT id, french_terms(title), french_terms(body) FROM {name}",
    ]


def register_sqlite_functions(dbapi_connection) -> None:
    dbapi_connection.create_function("french_terms", 1, french.indexed_text, deterministic=True)


# --- queries -------------------------------------------------------------------------------


def _quoted(word: str, prefix: bool) -> str:
    return f"'{word}'" + (":*" if prefix else "")


def _postgresql_text(query: french.Query) -> str:
    """``to_tsquery`` text: PostgreSQL stems the words itself, as it did the documents."""

    def term_text(term: french.Term) -> str:
        if term.phrase:
            return "(" + " <-> ".join(_quoted(w, False) for w in term.words) + ")"
        return "(" + " | ".join(_quoted(f, term.prefix) for f in french.forms(term.words[0])) + ")"

    return _combine(query, term_text, and_="&", or_="|", not_=lambda text: f"!{text}")


def _sqlite_text(query: french.Query) -> str:
    """FTS5 ``MATCH`` text: the stems, as the triggers stored them."""

    def term_text(term: french.Term) -> str:
        if term.phrase:
            return '"' + " ".join(french.indexed_text(w) for w in term.words) + '"'
        star = "*" if term.prefix else ""
        return (
            "("
            + " OR ".join(f'"{french.stem(f)}"{star}' for f in french.forms(term.words[0]))
            + ")"
        )

    return _combine(query, term_text, and_="AND", or_="OR", not_=None)


def _combine(query, term_text, *, and_: str, or_: str, not_) -> str:
    groups: list[list[str]] = []
    excluded: list[str] = []
    for term in query.terms:
        if term.excluded:
            excluded.append(term_text(term))
        elif term.or_previous and groups:
            groups[-1].append(term_text(term))
        else:
            groups.append([term_text(term)])
    text = f" {and_} ".join("(" + f" {or_} ".join(g) + ")" for g in groups)
    for item in excluded:
        # FTS5's NOT is binary ("a NOT b"), PostgreSQL's unary ("a & !b").
        text = f"{text} {and_} {not_(item)}" if not_ else f"({text}) NOT {item}"
    return text


def vector(model) -> ColumnElement:
    """The stored vector of ``model``'s rows on PostgreSQL (not a mapped column: SQLite has none)."""
    return literal_column(f"{model.__tablename__}.{VECTOR}")


def match(model, query: french.Query) -> tuple[ColumnElement, ColumnElement, object | None]:
    """(condition, rank, table to join) for rows of ``model`` matching ``query``; a higher rank
    is a better match, the title weighing more than the body."""
    if db.engine.dialect.name == "postgresql":
        tsquery = func.to_tsquery(CONFIG, literal(_postgresql_text(query)))
        document = vector(model)
        # The rank reads the query from a subquery, computed once: a prepared statement's
        # generic plan would otherwise parse and stem it again for every matching row.
        once = select(tsquery).scalar_subquery()
        return document.op("@@")(tsquery), func.ts_rank(document, once), None
    fts = table(INDEXED[model.__tablename__], column("rowid"))
    name = fts.name
    condition = literal_column(name).op("MATCH")(literal(_sqlite_text(query)))
    rank = -func.bm25(literal_column(name), 4.0, 1.0)
    return condition, rank, (fts, fts.c.rowid == model.id)
