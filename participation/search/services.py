"""Searching proposals and framework deliberations, and the excerpts that show why a result
matched. The index and its SQL are ``index.py``; reading French is ``french.py``."""

from collections.abc import Callable

from markupsafe import Markup, escape
from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Deliberation, Proposal, Round
from ..pagination import RankedPagination, bounded_page
from ..proposals.state import Allows, statuses_allowing
from ..text import plain_text
from . import french, index

EXCERPT_LENGTH = 240


def where_matching(query: Select, model, search: french.Query) -> Select:
    """``query`` narrowed to the rows of ``model`` that match ``search``."""
    condition, _rank, join = index.match(model, search)
    if join is not None:
        query = query.join(*join)
    return query.where(condition)


def ranked(query: Select, model, search: french.Query) -> Select:
    """``query`` narrowed to the rows matching ``search``, best first."""
    condition, rank, join = index.match(model, search)
    if join is not None:
        query = query.join(*join)
    return query.where(condition).order_by(rank.desc(), model.id.desc())


def search_proposals(search: french.Query, round_: Round | None = None) -> Select:
    """The ids of the proposals that match ``search``, with their rank as ``key``, best first,
    for ``pagination.RankedPagination`` (``proposal_rows``)."""
    # Proposals still under discussion: neither hidden, withdrawn nor merged.
    condition, rank, join = index.match(Proposal, search)
    query = select(Proposal.id, rank.label("key")).where(
        Proposal.is_visible, Proposal.status.in_(statuses_allowing(Allows.COMMENT)), condition
    )
    if join is not None:
        query = query.join(*join)
    if round_ is not None:
        query = query.where(Proposal.round_id == round_.id)
    return query.order_by(rank.desc(), Proposal.id.desc())


def proposals_page(
    search: french.Query, round_: Round | None, page: int, per_page: int
) -> RankedPagination:
    """Page ``page`` of the proposals that match ``search``, best first, with what the search
    page shows of them: the page's ids picked by their rank first, every match counted by the
    statement that ranks them (the total shown up to a limit)."""
    return bounded_page(
        search_proposals(search, round_),
        page,
        per_page,
        RankedPagination,
        model=Proposal,
        options=(
            selectinload(Proposal.round),
            selectinload(Proposal.pillar),
            selectinload(Proposal.neighbourhood),
        ),
    )


def search_deliberations(search: french.Query, limit: int = 10) -> list[Deliberation]:
    query = select(Deliberation).options(
        selectinload(Deliberation.council_session), selectinload(Deliberation.pillar)
    )
    return list(db.session.scalars(ranked(query, Deliberation, search).limit(limit)))


# An excerpt is looked for in the start of a text: enough to find a match, cheap to read.
EXCERPT_SOURCE = 6000


def _plain(item: Proposal | Deliberation) -> str:
    """What a reader reads of the item's text: a proposal's as shown (its stored HTML), a
    deliberation's as written (plain paragraphs)."""
    if isinstance(item, Proposal):
        return plain_text(item.body_html[:EXCERPT_SOURCE])
    return " ".join((item.body or "")[:EXCERPT_SOURCE].split())


def _matcher(search: french.Query) -> Callable[[str], bool]:
    """Whether a word of a text is one the search matched (its stem, or a prefix's)."""
    wanted = search.highlighted
    prefixes = {french.stem(f) for t in search.terms if t.prefix for f in french.forms(t.words[0])}

    def matches(word: str) -> bool:
        stemmed = french.indexed_form(word)
        return stemmed in wanted or any(stemmed.startswith(p) for p in prefixes)

    return matches


def _marked(flat: str, start: int, end: int, matches: Callable[[str], bool]) -> Markup:
    """``flat[start:end]``, escaped, its matching words marked (``<mark>``); a word cut by the
    end is left out of the marking."""
    parts, cursor = [], start
    for span in french.WORD.finditer(flat, start, end):
        if span.end() == end and end < len(flat) and flat[end].isalnum():
            break  # a word cut by the excerpt's end
        if matches(span.group()):
            parts.append(escape(flat[cursor : span.start()]))
            parts.append(Markup("<mark>%s</mark>") % span.group())
            cursor = span.end()
    parts.append(escape(flat[cursor:end]))
    return Markup("").join(parts)


def highlighted(text: str, search: french.Query) -> Markup:
    """A short text (a title) whole, escaped, the words that matched ``search`` marked."""
    return _marked(text, 0, len(text), _matcher(search))


def excerpt(
    item: Proposal | Deliberation, search: french.Query, length: int = EXCERPT_LENGTH
) -> Markup:
    """A plain excerpt of the item's text around the first word that matched, with the
    matching words marked (``<mark>``), escaped."""
    flat = _plain(item)
    matches = _matcher(search)
    # Words are read up to the first match, then within the excerpt only.
    first = next((m for m in french.WORD.finditer(flat) if matches(m.group())), None)
    start = 0
    if first and first.start() > length // 3:
        start = flat.rfind(" ", 0, first.start() - length // 3) + 1
    end = min(len(flat), start + length)
    if end < len(flat):
        end = max(flat.rfind(" ", start, end), start + 1)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(flat) else ""
    return Markup(prefix) + _marked(flat, start, end, matches) + Markup(suffix)
