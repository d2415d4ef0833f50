"""Typing in what came back on paper: cards, sticker votes, attendance, a spreadsheet.

No participant account is created and no participant name is stored: a paper item records its
workshop and who typed it in (``entered_by``), and each later correction keeps the previous value
and who changed it (``PaperCorrection``). Cards become proposals through the same service, the
same moderation and the same state machine as online ones, with the origin "workshop".

Sticker votes are counted per workshop and proposal (``PaperSupport``): the cards given as a
"+1" and the count read from the vote sheet add up, and their total is summed into
``proposals.paper_support_count`` by atomic ``UPDATE … SET x = x + delta``; online supports
(``support_count``) are never touched here. A workshop cannot have given more sticker votes than
its participants received (``rules.sticker_problem``): the workshop's row is locked while its
counts change, so that two facilitators typing at once cannot pass the bound together.

Services take the acting facilitator, flush, never commit.
"""

import re
from dataclasses import dataclass, field
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from .. import audit
from ..comments import errors as comment_errors
from ..comments.services import shift_counters
from ..extensions import db
from ..models import (
    Comment,
    EventKind,
    Neighbourhood,
    Origin,
    PaperCorrection,
    PaperItem,
    PaperSupport,
    Pillar,
    Proposal,
    ProposalStatus,
    User,
    Workshop,
    WorkshopState,
    utcnow,
)
from ..proposals import state
from ..proposals.services import (
    BODY_MAX,
    TITLE_MAX,
    ProposalInput,
    add_proposal,
    similar_proposals,
)
from ..rounds.services import slugify
from ..text import render_markdown
from . import errors, rules
from .rules import can_correct, can_receive_comment, can_receive_stickers
from .services import ATTENDANCE_MAX
from .spreadsheet import Sheet

TITLE_MIN = 3
BODY_MIN = 3
# The largest number a count field takes; the workshop's own bound is usually far lower.
STICKERS_MAX = 100_000
CODE = re.compile(r"^\s*(?:P\s*-?\s*)?(\d{1,9})\s*$", re.IGNORECASE)

__all__ = ["can_correct", "can_receive_comment", "can_receive_stickers"]


def _require_entry(workshop: Workshop, facilitator: User) -> None:
    """Refuse unless ``facilitator`` may type in for ``workshop`` now; the first paper item of
    a workshop that has started but is still marked as planned marks it as held."""
    rules.can_enter(facilitator, workshop).require()
    # Cards typed in before the workshop starts (prepared in advance) do not make it held.
    if workshop.state is WorkshopState.PLANNED and rules.has_started(workshop):
        workshop.state = WorkshopState.HELD
        audit.log(
            facilitator,
            "workshop.state",
            workshop,
            before={"state": WorkshopState.PLANNED.value},
            after={"state": WorkshopState.HELD.value},
        )


def _correction(workshop, actor, item_type, item_id, field_name, old, new) -> PaperCorrection:
    entry = PaperCorrection(
        workshop_id=workshop.id,
        item_type=item_type,
        item_id=item_id,
        field=field_name,
        old_value=None if old is None else str(old),
        new_value=None if new is None else str(new),
        changed_by_id=actor.id,
    )
    db.session.add(entry)
    return entry


# --- cards -----------------------------------------------------------------------------------


@dataclass
class CardInput:
    """A card as written at the workshop (no name: cards are anonymous)."""

    title: str
    body: str
    pillar_id: int | None
    neighbourhood_id: int | None = None


def card_problems(card: CardInput, workshop: Workshop) -> dict[str, str]:
    """Every rule the card breaks, as {field: message}."""
    problems: dict[str, object] = {}
    if card.pillar_id is None:
        problems["pillar_id"] = _l("Choose the card's pillar.")
    elif all(p.id != card.pillar_id for p in workshop.round.pillars):
        problems["pillar_id"] = _l("Choose a pillar of this consultation.")
    title = (card.title or "").strip()
    if not title:
        problems["title"] = _l("Give the card a title.")
    elif not TITLE_MIN <= len(title) <= TITLE_MAX:
        problems["title"] = _l(
            "The title must have between %(min)d and %(max)d characters.",
            min=TITLE_MIN,
            max=TITLE_MAX,
        )
    body = (card.body or "").strip()
    if not body:
        problems["body"] = _l("Type the text written on the card.")
    elif not BODY_MIN <= len(body) <= BODY_MAX:
        problems["body"] = _l(
            "The text must have between %(min)d and %(max)d characters.",
            min=BODY_MIN,
            max=BODY_MAX,
        )
    return {name: str(message) for name, message in problems.items()}


def add_paper_proposal(workshop: Workshop, facilitator: User, card: CardInput) -> Proposal:
    """A card becomes a proposal of the workshop's round, typed in by ``facilitator``.

    It follows the round's pre-moderation setting and the proposal state machine.
    """
    _require_entry(workshop, facilitator)
    problems = card_problems(card, workshop)
    if problems:
        raise errors.PaperInvalid([(None, name, message) for name, message in problems.items()])
    return add_proposal(
        workshop.round,
        ProposalInput(card.title, card.body, card.pillar_id, card.neighbourhood_id),
        author=None,
        origin=Origin.WORKSHOP,
        workshop_id=workshop.id,
        actor=facilitator,
    )


def card_as_comment(card: CardInput) -> str:
    title, body = (card.title or "").strip(), (card.body or "").strip()
    return f"**{title}**\n\n{body}" if title else body


def add_paper_comment(
    workshop: Workshop, facilitator: User, proposal: Proposal, body: str
) -> Comment:
    """What a card says, added to an existing proposal as a comment written at the workshop."""
    _require_entry(workshop, facilitator)
    if proposal.round_id != workshop.round_id or not can_receive_comment(proposal):
        raise errors.NotCommentable()
    body = (body or "").strip()
    if not comment_errors.COMMENT_MIN <= len(body) <= comment_errors.COMMENT_MAX:
        raise comment_errors.CommentLength()
    comment = Comment(
        proposal_id=proposal.id,
        author_id=None,
        origin=Origin.WORKSHOP.value,
        workshop_id=workshop.id,
        entered_by_id=facilitator.id,
        body=body,
        body_html=render_markdown(body),
    )
    db.session.add(comment)
    db.session.flush()
    shift_counters(comment, +1)
    return comment


def correct_paper_proposal(
    workshop: Workshop, facilitator: User, proposal: Proposal, card: CardInput
) -> list[PaperCorrection]:
    """Correct how a card was typed in; each changed field keeps its previous value."""
    _require_entry(workshop, facilitator)
    if proposal.workshop_id != workshop.id:
        raise errors.NotAllowed()
    if not can_correct(proposal):
        raise errors.WorkshopError(
            _l("This card can no longer be corrected: a moderator has acted on it.")
        )
    problems = card_problems(card, workshop)
    if problems:
        raise errors.PaperInvalid([(None, name, message) for name, message in problems.items()])
    pillar = db.session.get(Pillar, card.pillar_id)
    neighbourhood = (
        db.session.get(Neighbourhood, card.neighbourhood_id) if card.neighbourhood_id else None
    )
    # Field: (value before, value after), as people read them (names, not ids).
    changes = {
        "title": (proposal.title, card.title.strip()),
        "body": (proposal.body, card.body.strip()),
        "pillar": (_name(proposal.pillar), _name(pillar)),
        "neighbourhood": (_name(proposal.neighbourhood), _name(neighbourhood)),
    }
    corrections = [
        _correction(workshop, facilitator, PaperItem.PROPOSAL, proposal.id, name, old, new)
        for name, (old, new) in changes.items()
        if old != new
    ]
    if not corrections:
        return []
    previous = f"{proposal.title}\n\n{proposal.body}"
    proposal.title = card.title.strip()
    proposal.body = card.body.strip()
    proposal.body_html = render_markdown(proposal.body)
    proposal.pillar = pillar
    proposal.neighbourhood = neighbourhood
    proposal.updated_at = utcnow()
    state.record(proposal, EventKind.CORRECTED, facilitator, previous=previous)
    db.session.flush()
    return corrections


def _name(item) -> str | None:
    if item is None:
        return None
    return getattr(item, "name_fr", None) or item.name


# --- one card, as the entry screen sends it ----------------------------------------------------


class Choice(StrEnum):
    CHECK = "check"  # show similar proposals first, create when there is none
    NEW = "new"  # create a new proposal anyway
    COMMENT = "comment"  # add the card to an existing proposal as a comment
    SUPPORT = "support"  # count the card as one sticker vote for an existing proposal


@dataclass
class CardOutcome:
    similar: list[Proposal] = field(default_factory=list)
    proposal: Proposal | None = None  # created, or the one the card went to
    comment: Comment | None = None
    stickers: int | None = None  # the workshop's count for ``proposal`` after a +1


def enter_card(
    workshop: Workshop,
    facilitator: User,
    card: CardInput,
    choice: Choice,
    target_id: int | None = None,
) -> CardOutcome:
    """Save one card as the facilitator chose; CHECK returns similar proposals, if any, instead."""
    _require_entry(workshop, facilitator)
    if choice is Choice.CHECK:
        similar = similar_proposals(workshop.round, card.title or "", card.body or "")
        if similar:
            return CardOutcome(similar=similar)
        choice = Choice.NEW
    if choice is Choice.NEW:
        return CardOutcome(proposal=add_paper_proposal(workshop, facilitator, card))
    target = db.session.get(Proposal, target_id) if target_id else None
    if target is None or target.round_id != workshop.round_id:
        raise errors.UnknownCode(str(target_id or ""))
    if choice is Choice.COMMENT:
        comment = add_paper_comment(workshop, facilitator, target, card_as_comment(card))
        return CardOutcome(proposal=target, comment=comment)
    tally = add_stickers(workshop, facilitator, target, 1)
    return CardOutcome(proposal=target, stickers=tally.count)


def recent_items(workshop: Workshop, limit: int = 10):
    """The workshop's latest cards and card comments, newest first (for the entry screen)."""
    proposals = db.session.scalars(
        select(Proposal)
        .where(Proposal.workshop_id == workshop.id)
        .options(joinedload(Proposal.pillar))
        .order_by(Proposal.id.desc())
        .limit(limit)
    ).all()
    comments = db.session.scalars(
        select(Comment)
        .where(Comment.workshop_id == workshop.id)
        .options(joinedload(Comment.proposal))
        .order_by(Comment.id.desc())
        .limit(limit)
    ).all()
    items = [(p.created_at, "proposal", p) for p in proposals] + [
        (c.created_at, "comment", c) for c in comments
    ]
    items.sort(key=lambda item: (item[0], item[2].id), reverse=True)
    return [(kind, item) for _when, kind, item in items[:limit]]


# --- sticker votes ---------------------------------------------------------------------------


def parse_code(code: str) -> int | None:
    """The proposal number in "P-12", "p12", "P 12" or "12"; None when it is not a code."""
    match = CODE.match(code or "")
    return int(match.group(1)) if match else None


def _check_stickers(proposal: Proposal) -> None:
    if proposal.status is ProposalStatus.MERGED and proposal.merged_into is not None:
        raise errors.MergedProposal(proposal.code, proposal.merged_into.code)
    if not can_receive_stickers(proposal):
        raise errors.NotSupportable(proposal.code)


def resolve_code(workshop: Workshop, code: str) -> Proposal:
    """The proposal of the workshop's round that ``code`` names, if it can receive stickers."""
    number = parse_code(code)
    proposal = None
    if number is not None:
        proposal = db.session.scalar(
            select(Proposal)
            .where(Proposal.round_id == workshop.round_id, Proposal.number == number)
            .options(joinedload(Proposal.merged_into))
        )
    if proposal is None:
        raise errors.UnknownCode((code or "").strip())
    _check_stickers(proposal)
    return proposal


def _shift_paper_count(proposal_id: int, delta: int) -> None:
    db.session.execute(
        update(Proposal)
        .where(Proposal.id == proposal_id)
        .values(paper_support_count=Proposal.paper_support_count + delta)
        .execution_options(synchronize_session=False)
    )
    loaded = db.session.identity_map.get(db.session.identity_key(Proposal, proposal_id))
    if loaded is not None:
        db.session.expire(loaded, ["paper_support_count"])


def _lock_workshop(workshop: Workshop) -> None:
    """Serialise the changes of a workshop's counts (PostgreSQL), and read its attendance as
    committed."""
    db.session.execute(select(Workshop.id).where(Workshop.id == workshop.id).with_for_update())
    db.session.refresh(workshop, ["attendance"])


def sticker_total(workshop: Workshop) -> int:
    """Every sticker vote counted for the workshop so far (cards and sheet)."""
    return db.session.scalar(
        select(func.coalesce(func.sum(PaperSupport.count), 0)).where(
            PaperSupport.workshop_id == workshop.id
        )
    )


def _locked_tally(workshop: Workshop, proposal: Proposal) -> PaperSupport | None:
    return db.session.scalar(
        select(PaperSupport)
        .where(PaperSupport.workshop_id == workshop.id, PaperSupport.proposal_id == proposal.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _change_stickers(
    workshop: Workshop, actor: User, proposal: Proposal, source: str, new_count
) -> PaperSupport:
    """Set one source (``card_count`` or ``sheet_count``) of the workshop's tally for
    ``proposal`` to ``new_count(old)``, keep the old value as a correction, and move the
    proposal's paper counter by the difference. The caller has locked the workshop."""
    tally = _locked_tally(workshop, proposal)
    if tally is None:
        tally = PaperSupport(
            workshop_id=workshop.id,
            proposal_id=proposal.id,
            count=0,
            card_count=0,
            sheet_count=0,
            entered_by_id=actor.id,
        )
        db.session.add(tally)
        db.session.flush()
        is_new = True
    else:
        is_new = False
    old = getattr(tally, source)
    count = new_count(old)
    if count != old:
        setattr(tally, source, count)
        tally.count += count - old
        tally.updated_at = utcnow()
        if not is_new:
            _correction(workshop, actor, PaperItem.PAPER_SUPPORT, tally.id, source, old, count)
        _shift_paper_count(proposal.id, count - old)
    db.session.flush()
    return tally


def _checked_count(count: int) -> int:
    if count is None or not 0 <= count <= STICKERS_MAX:
        raise errors.WorkshopError(
            _l("Enter a number of stickers between 0 and %(max)d.", max=STICKERS_MAX)
        )
    return count


def _check_bound(workshop: Workshop, total: int) -> None:
    problem = rules.sticker_problem(workshop, total)
    if problem is not None:
        raise problem


def set_paper_supports(
    workshop: Workshop, facilitator: User, code_or_proposal: str | Proposal, count: int
) -> PaperSupport:
    """The count read from the workshop's vote sheet for one proposal (by code or proposal):
    upserts the tally and records a correction when it changes a count typed in before. The
    cards given to the proposal as a "+1" add to it."""
    _require_entry(workshop, facilitator)
    count = _checked_count(count)
    if isinstance(code_or_proposal, Proposal):
        proposal = code_or_proposal
        if proposal.round_id != workshop.round_id:
            raise errors.UnknownCode(proposal.code)
        _check_stickers(proposal)
    else:
        proposal = resolve_code(workshop, code_or_proposal)
    _lock_workshop(workshop)
    previous = _locked_tally(workshop, proposal)
    _check_bound(
        workshop, sticker_total(workshop) - (previous.sheet_count if previous else 0) + count
    )
    return _change_stickers(workshop, facilitator, proposal, "sheet_count", lambda _old: count)


def add_stickers(workshop: Workshop, facilitator: User, proposal: Proposal, more: int = 1):
    """Add ``more`` sticker votes to the workshop's count for ``proposal`` (a card given as a
    support on the entry screen); they add to the vote sheet's count."""
    _require_entry(workshop, facilitator)
    if proposal.round_id != workshop.round_id:
        raise errors.UnknownCode(proposal.code)
    _check_stickers(proposal)
    _lock_workshop(workshop)
    _check_bound(workshop, sticker_total(workshop) + more)
    return _change_stickers(
        workshop, facilitator, proposal, "card_count", lambda old: _checked_count(old + more)
    )


@dataclass
class StickerLine:
    row: int
    code: str
    count: str


def set_sticker_sheet(
    workshop: Workshop, facilitator: User, lines: list[StickerLine]
) -> list[tuple[Proposal, int]]:
    """A whole vote sheet: every line is checked first, and nothing is saved unless all are
    valid (``PaperInvalid`` lists the problems by line and column). Lines left empty are
    skipped. Returns each proposal with its new count at this workshop."""
    _require_entry(workshop, facilitator)
    problems: list[tuple[int | None, str | None, str]] = []
    wanted: list[tuple[StickerLine, int, int]] = []
    seen: dict[int, int] = {}
    for line in lines:
        code, count = (line.code or "").strip(), (line.count or "").strip()
        # An empty line, or a line of the printed sheet whose count is not typed yet.
        if not count and (not code or parse_code(code) is not None):
            continue
        number = parse_code(code)
        if not code:
            problems.append((line.row, "code", str(_l("Type the proposal's code."))))
        elif number is None:
            problems.append(
                (line.row, "code", str(_l("“%(code)s” is not a code like P-12.", code=code)))
            )
        elif number in seen:
            problems.append(
                (
                    line.row,
                    "code",
                    str(
                        _l(
                            "P-%(number)d is already on line %(line)d.",
                            number=number,
                            line=seen[number],
                        )
                    ),
                )
            )
        if not count.isdigit() or int(count) > STICKERS_MAX:
            problems.append(
                (
                    line.row,
                    "count",
                    str(_l("Enter a number of stickers between 0 and %(max)d.", max=STICKERS_MAX)),
                )
            )
        if number is not None and number not in seen:
            seen[number] = line.row
            if count.isdigit():
                wanted.append((line, number, int(count)))
    proposals = {
        p.number: p
        for p in db.session.scalars(
            select(Proposal)
            .where(Proposal.round_id == workshop.round_id, Proposal.number.in_(list(seen)))
            .options(joinedload(Proposal.merged_into))
        )
    }
    for number, row in seen.items():
        proposal = proposals.get(number)
        try:
            if proposal is None:
                raise errors.UnknownCode(f"P-{number}")
            _check_stickers(proposal)
        except errors.WorkshopError as error:
            problems.append((row, "code", str(error)))
    if problems:
        problems.sort(key=lambda problem: (problem[0] or 0, problem[1] != "code"))
        raise errors.PaperInvalid(problems)
    if not wanted:
        return []
    _lock_workshop(workshop)
    sheet = {proposals[number].id: count for _line, number, count in wanted}
    replaced = db.session.scalar(
        select(func.coalesce(func.sum(PaperSupport.sheet_count), 0)).where(
            PaperSupport.workshop_id == workshop.id, PaperSupport.proposal_id.in_(list(sheet))
        )
    )
    try:
        _check_bound(workshop, sticker_total(workshop) - replaced + sum(sheet.values()))
    except errors.WorkshopError as error:
        raise errors.PaperInvalid([(None, None, str(error))]) from error
    saved = []
    for _line, number, count in wanted:
        proposal = proposals[number]
        tally = _change_stickers(
            workshop, facilitator, proposal, "sheet_count", lambda _old, c=count: c
        )
        saved.append((proposal, tally.count))
    return saved


def sheet_counts(workshop: Workshop) -> dict[int, int]:
    """The count read from the vote sheet so far, by proposal id."""
    return dict(
        db.session.execute(
            select(PaperSupport.proposal_id, PaperSupport.sheet_count).where(
                PaperSupport.workshop_id == workshop.id, PaperSupport.sheet_count > 0
            )
        ).all()
    )


def workshop_tallies(workshop: Workshop) -> list[PaperSupport]:
    """Every sticker count typed in for the workshop (cards and sheet), by proposal code."""
    return list(
        db.session.scalars(
            select(PaperSupport)
            .join(Proposal, Proposal.id == PaperSupport.proposal_id)
            .where(PaperSupport.workshop_id == workshop.id)
            .options(joinedload(PaperSupport.proposal))
            .order_by(Proposal.number)
        )
    )


# --- attendance ------------------------------------------------------------------------------


def set_attendance(workshop: Workshop, facilitator: User, count: int) -> None:
    """How many people came; every value typed in is kept with who typed it."""
    _require_entry(workshop, facilitator)
    if count is None or not 0 <= count <= ATTENDANCE_MAX:
        raise errors.WorkshopError(_l("Enter a number between 0 and %(max)d.", max=ATTENDANCE_MAX))
    _lock_workshop(workshop)
    old = workshop.attendance
    if old == count:
        return
    # The sticker votes already counted must still fit.
    per_person = workshop.round.stickers_per_person
    needed = -(-sticker_total(workshop) // per_person)
    if count < needed:
        raise errors.AttendanceBelowStickers(needed)
    workshop.attendance = count
    _correction(workshop, facilitator, PaperItem.ATTENDANCE, workshop.id, "attendance", old, count)
    db.session.flush()


# --- a transcription spreadsheet --------------------------------------------------------------


def _by_name(items, *names) -> dict[str, object]:
    """Each item under the folded form of each of its names (accents, case, punctuation)."""
    index = {}
    for item in items:
        for name in names:
            value = getattr(item, name, None)
            if value:
                index.setdefault(slugify(value), item)
    return index


def _pillars_by_name(pillars) -> dict[str, object]:
    """Pillars by their names as ``_by_name``, and by each half of a name such as "Mobilité /
    Transports" ("Mobilite", "transports"), unless two pillars share that half."""
    index = _by_name(pillars, "slug", "name_fr", "name_en")
    halves: dict[str, set] = {}
    for pillar in pillars:
        for name in (pillar.name_fr, pillar.name_en):
            for half in (name or "").split("/"):
                if slugify(half):
                    halves.setdefault(slugify(half), set()).add(pillar)
    for half, found in halves.items():
        if len(found) == 1:
            index.setdefault(half, next(iter(found)))
    return index


def import_cards(workshop: Workshop, facilitator: User, sheet: Sheet) -> list[Proposal]:
    """Every row of ``sheet`` becomes a card of the workshop, or none does.

    All rows are checked first; ``PaperInvalid`` lists each problem by row and column (as the
    file names it).
    """
    _require_entry(workshop, facilitator)
    pillars = _pillars_by_name(workshop.round.pillars)
    neighbourhoods = _by_name(db.session.scalars(select(Neighbourhood)), "slug", "name")
    existing = {
        (title, body): number
        for title, body, number in db.session.execute(
            select(Proposal.title, Proposal.body, Proposal.number).where(
                Proposal.workshop_id == workshop.id
            )
        )
    }
    columns = {"pillar_id": "pillar", "title": "title", "body": "text"}
    problems: list[tuple[int | None, str | None, str]] = []
    cards: list[CardInput] = []
    for row in sheet.rows:
        cells = row.cells
        pillar = pillars.get(slugify(cells["pillar"])) if cells["pillar"] else None
        neighbourhood = None
        row_problems = []
        if cells["pillar"] and pillar is None:
            row_problems.append(
                (
                    "pillar",
                    _l(
                        "No pillar of this consultation is called “%(name)s”.", name=cells["pillar"]
                    ),
                )
            )
        if cells.get("neighbourhood"):
            neighbourhood = neighbourhoods.get(slugify(cells["neighbourhood"]))
            if neighbourhood is None:
                row_problems.append(
                    (
                        "neighbourhood",
                        _l("No neighbourhood is called “%(name)s”.", name=cells["neighbourhood"]),
                    )
                )
        card = CardInput(
            title=cells["title"],
            body=cells["text"],
            pillar_id=pillar.id if pillar is not None else None,
            neighbourhood_id=neighbourhood.id if neighbourhood is not None else None,
        )
        for name, message in card_problems(card, workshop).items():
            if name == "pillar_id" and cells["pillar"]:
                continue  # already said: the name is unknown
            row_problems.append((columns[name], message))
        number = existing.get((card.title.strip(), card.body.strip()))
        if number is not None:
            row_problems.append(
                (
                    "title",
                    _l(
                        "This card is already typed in for this workshop (P-%(number)d).",
                        number=number,
                    ),
                )
            )
        problems.extend(
            (row.number, sheet.headers.get(column, column), str(message))
            for column, message in row_problems
        )
        cards.append(card)
    if problems:
        raise errors.PaperInvalid(problems)
    proposals = [add_paper_proposal(workshop, facilitator, card) for card in cards]
    audit.log(
        facilitator,
        "workshop.import",
        workshop,
        after={"cards": len(proposals), "codes": [p.code for p in proposals]},
    )
    db.session.flush()
    return proposals
