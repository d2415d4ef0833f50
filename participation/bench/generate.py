"""Generated data at a fraction of Madrid's scale, written with bulk inserts (COPY on PostgreSQL).

At ``scale=1``: 500,000 users, 30,000 proposals over three rounds, 1.7 million online supports
with a long tail, 235,000 comments with a long tail and one proposal with 1,000. It starts from
what a fresh install has (the 2018 Smart Days and the sample round) and adds two rounds; the
sample round, open for proposals, takes the largest share: it is the one the pages are measured on.

Rows bypass the services (they would take hours) but follow their rules: counters equal the rows
they count, each status is one the state machine reaches, and every proposal has its trail.
"""

import math
import random
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

import pyotp
from sqlalchemy import Connection, Table, func, insert, select, text

from ..models.proposal import SHUFFLE_KEYS
from ..proposals.state import Allows, allows
from . import french

MADRID = {"users": 500_000, "proposals": 30_000, "supports": 1_700_000, "comments": 235_000}
BUSIEST_COMMENTS = 1_000
# A comment page is never longer than the busiest one: the tail stops below it.
MAX_OTHER_COMMENTS = 600
BATCH = 10_000
# The moderator whose home is measured (the sample content has one of its own).
MODERATOR_EMAIL = "moderation@example.org"
REPLY_SHARE = 0.25


@dataclass(frozen=True)
class RoundShape:
    """A round of the generated data: its share of the proposals and how their statuses end up."""

    slug: str
    title: str
    share: float
    # (status, hidden, weight): how this round's proposals are distributed.
    statuses: tuple[tuple[str, bool, float], ...]
    premoderation: bool = False
    closed: bool = False


MEASURED_ROUND = "bethune-a-2032"  # the sample round of a fresh install (history.sample)
ROUNDS = (
    RoundShape(
        MEASURED_ROUND,
        "Béthune à 2032",
        0.60,
        (
            ("published", False, 96.5),
            ("published", True, 1.0),
            ("withdrawn", False, 1.5),
            ("merged", False, 1.0),
        ),
    ),
    RoundShape(
        "quartiers-a-vivre",
        "Des quartiers à vivre",
        0.15,
        (
            ("submitted", False, 8),
            ("published", False, 89),
            ("published", True, 1),
            ("withdrawn", False, 2),
        ),
        premoderation=True,
    ),
    RoundShape(
        "budget-participatif-2025",
        "Budget participatif 2025",
        0.25,
        (
            ("published", False, 33),
            ("published", True, 2),
            ("retained", False, 12),
            ("not_retained", False, 42),
            ("merged", False, 6),
            ("withdrawn", False, 5),
        ),
        closed=True,
    ),
)
# The proposals that hold online supports: those that still take votes (a merged one passed its
# supports on; a withdrawn one had none), as proposals.state says.
HOLDS_SUPPORTS = Allows.STICKERS
DECISION_REASONS = {
    "retained": (
        "Retenue : la Ville l'inscrit au plan d'actions de l'année prochaine.",
        "Retenue pour une expérimentation dans un quartier.",
    ),
    "not_retained": (
        "Non retenue : le coût dépasse le budget de la concertation.",
        "Non retenue : cette compétence relève de la communauté d'agglomération.",
        "Non retenue : un projet semblable est déjà en cours.",
        "Non retenue : le terrain proposé n'appartient pas à la Ville.",
    ),
}
REPORT_REASONS = (
    "Propos insultants.",
    "Publicité pour un commerce.",
    "Hors sujet.",
    "Informations personnelles sur un voisin.",
)


PROPOSAL_COLUMNS = (
    "id",
    "round_id",
    "number",
    "pillar_id",
    "neighbourhood_id",
    "author_id",
    "origin",
    "workshop_id",
    "entered_by_id",
    "title",
    "body",
    "body_html",
    "status",
    "merged_into_id",
    "decision_reason",
    "hidden_at",
    "hidden_reason",
    "support_count",
    "paper_support_count",
    "comment_count",
    "shuffle_key",
    "is_sample",
    "created_at",
    "updated_at",
    "published_at",
    "locked_at",
)
COMMENT_COLUMNS = (
    "id",
    "proposal_id",
    "parent_id",
    "author_id",
    "origin",
    "body",
    "body_html",
    "reply_count",
    "created_at",
    "deleted_at",
    "hidden_at",
    "hidden_reason",
)


class Made(NamedTuple):
    """A generated proposal, as the later rows need it."""

    id: int
    round: str
    status: str
    hidden: bool
    created_at: datetime


# Positions in the rows above, for the counters filled in once the rows they count are made.
P = {name: index for index, name in enumerate(PROPOSAL_COLUMNS)}
C = {name: index for index, name in enumerate(COMMENT_COLUMNS)}


@dataclass(frozen=True)
class Plan:
    """How many rows of each kind a scale asks for."""

    scale: float
    users: int
    proposals: int
    supports: int
    comments: int
    workshops_per_round: int
    reports: int

    @classmethod
    def at(cls, scale: float) -> "Plan":
        def scaled(madrid: int, least: int) -> int:
            return max(least, round(madrid * scale))

        return cls(
            scale=scale,
            users=scaled(MADRID["users"], 100),
            proposals=scaled(MADRID["proposals"], 30),
            supports=scaled(MADRID["supports"], 500),
            comments=scaled(MADRID["comments"], BUSIEST_COMMENTS + 100),
            workshops_per_round=max(1, round(20 * math.sqrt(scale))),
            reports=scaled(2_000, 5),
        )


class Writer:
    """Bulk insertion of plain rows: COPY on PostgreSQL, executemany elsewhere."""

    def __init__(self, connection: Connection):
        self.connection = connection
        self.postgres = connection.dialect.name == "postgresql"

    def write(self, table: Table, columns: Sequence[str], rows: Iterable[tuple]) -> int:
        # COPY applies no Python-side default: every required column is named, on both databases.
        required = {
            c.name
            for c in table.columns
            if not c.nullable and c.server_default is None and c.autoincrement is not True
        }
        if missing := required - set(columns) - {"id"}:
            raise ValueError(f"{table.name}: no value for {sorted(missing)}")
        written = 0
        if self.postgres:
            cursor = self.connection.connection.driver_connection.cursor()
            with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    written += 1
            return written
        statement = insert(table)
        batch = []
        for row in rows:
            batch.append(dict(zip(columns, row, strict=True)))
            if len(batch) == BATCH:
                self.connection.execute(statement, batch)
                written += len(batch)
                batch = []
        if batch:
            self.connection.execute(statement, batch)
            written += len(batch)
        return written

    def next_id(self, table: Table) -> int:
        return (self.connection.scalar(select(func.max(table.c.id))) or 0) + 1

    def sync_sequence(self, table: Table) -> None:
        """Rows written with explicit ids: the next id PostgreSQL hands out follows them."""
        if self.postgres:
            self.connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"(SELECT max(id) FROM {table.name}))"
                )
            )


def long_tail(total: int, slots: int, rng: random.Random, cap: int, exponent=1.0) -> list[int]:
    """``total`` split over ``slots`` by a Zipf law in a random order, each at most ``cap``:
    a few slots take most, most take a few. The sum is exactly ``total`` when the caps allow."""
    if slots == 0:
        return []
    ranks = list(range(1, slots + 1))
    rng.shuffle(ranks)
    weights = [1 / rank**exponent for rank in ranks]
    scale = total / sum(weights)
    counts = [min(cap, int(w * scale)) for w in weights]
    missing = min(total, cap * slots) - sum(counts)
    order = sorted(range(slots), key=lambda i: -weights[i])
    while missing > 0:
        for i in order:
            if missing == 0:
                break
            if counts[i] < cap:
                counts[i] += 1
                missing -= 1
    return counts


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    return start + timedelta(seconds=rng.random() * max(0.0, (end - start).total_seconds()))


def _weighted(rng: random.Random, choices):
    return rng.choices(choices, weights=[c[-1] for c in choices])[0]


def generate(db, scale: float, seed: int = 2032) -> dict:
    """Fill the migrated database of ``db`` at ``scale`` (after what a fresh install loads);
    commit; say what was made."""
    from ..history.sample import load_sample_content
    from ..history.services import import_smart_days_2018

    started = time.perf_counter()
    import_smart_days_2018()
    load_sample_content()
    db.session.commit()
    # The random order's keys are drawn apart: the rest of the data stays as it was before
    # proposals had them.
    made = Generator(db, Plan.at(scale), random.Random(seed), random.Random(f"{seed}-keys"))
    made.users()
    made.rounds()
    made.workshops()
    made.proposals()
    made.supports()
    made.paper_supports()
    made.comments()
    made.reports()
    counts = made.write()
    db.session.commit()
    return {
        "scale": scale,
        **counts,
        "round_slug": MEASURED_ROUND,
        "busiest_number": made.busiest_number,
        "moderator_id": made.moderator.id,
        "generation_seconds": round(time.perf_counter() - started, 1),
    }


class Generator:
    """The rows of each kind, made in order (each step reads what the previous ones made), then
    written in the order their foreign keys need."""

    def __init__(self, db, plan: Plan, rng: random.Random, keys: random.Random):
        from ..models import Neighbourhood, Pillar, utcnow

        self.db = db
        self.plan = plan
        self.rng = rng
        self.shuffle_keys = keys
        self.now = utcnow()
        self.writer = Writer(db.session.connection())
        self.pillars = list(db.session.scalars(select(Pillar).order_by(Pillar.position)))
        self.neighbourhood_ids = list(db.session.scalars(select(Neighbourhood.id)))
        # The measured round's first generated proposal: the one with 1,000 comments.
        self.busiest_id = self.busiest_number = None

    # --- people, rounds, workshops: written as they are made -----------------------------

    def users(self) -> None:
        from ..accounts.passwords import hash_password
        from ..models import User

        rng, now = self.rng, self.now
        password = hash_password("benchmark password")
        first = self.writer.next_id(User.__table__)
        self.user_ids = range(first, first + self.plan.users)
        self.facilitators = list(self.user_ids[: max(2, self.plan.users // 5_000)])
        facilitators = set(self.facilitators)
        self.writer.write(
            User.__table__,
            (
                "id",
                "email",
                "display_name",
                "password_hash",
                "role",
                "neighbourhood_id",
                "email_confirmed_at",
                "created_at",
                "notify_by_email",
            ),
            (
                (
                    user_id,
                    f"habitant{user_id}@example.org",
                    french.display_name(rng),
                    password,
                    "facilitator" if user_id in facilitators else "resident",
                    rng.choice(self.neighbourhood_ids) if rng.random() < 0.3 else None,
                    now - timedelta(days=rng.randint(1, 1_500)),
                    now - timedelta(days=rng.randint(1, 1_500)),
                    rng.random() < 0.8,
                )
                for user_id in self.user_ids
            ),
        )
        self.writer.sync_sequence(User.__table__)
        self.moderator = User(
            email=MODERATOR_EMAIL,
            display_name="Service Smart City",
            role="moderator",
            password_hash=password,
            email_confirmed_at=now,
            # Staff act only with two-factor authentication on (policy.has_role).
            totp_secret=pyotp.random_base32(),
            two_factor_enabled_at=now,
        )
        self.db.session.add(self.moderator)

    def rounds(self) -> None:
        """The sample round is there already; the others are made, one closed, one open."""
        from ..models import Round

        now = self.now
        self.round_by_slug = {}
        for shape in ROUNDS:
            round_ = self.db.session.scalar(select(Round).where(Round.slug == shape.slug))
            if round_ is None:
                days = (-420, -360, -359, -330, -270) if shape.closed else (-45, 60, 61, 90, 150)
                round_ = Round(
                    slug=shape.slug,
                    title=shape.title,
                    summary=f"{shape.title} : vos idées pour Béthune.",
                    description=f"{shape.title} : proposez vos idées, soutenez celles de vos "
                    "voisins, puis suivez ce que la Ville en retient.",
                    premoderation=shape.premoderation,
                    pillars=self.pillars,
                    **{
                        field: now + timedelta(days=offset)
                        for field, offset in zip(
                            (
                                "collect_starts_at",
                                "collect_ends_at",
                                "vote_starts_at",
                                "vote_ends_at",
                                "deliberation_ends_at",
                            ),
                            days,
                            strict=True,
                        )
                    },
                )
                self.db.session.add(round_)
            self.round_by_slug[shape.slug] = round_
        self.db.session.flush()

    def workshops(self) -> None:
        """Spread over each round's workshop phase: in an open round, the later ones are still
        to come; the held ones have their attendance."""
        from ..models import Workshop

        rng, count = self.rng, self.plan.workshops_per_round
        self.held = {}
        self.workshop_count = 0
        for slug, round_ in self.round_by_slug.items():
            start, end = round_.collect_starts_at, round_.workshops_end_at
            self.held[slug] = []
            for index in range(count):
                starts_at = start + (end - start) * (index + 0.5) / count
                held = starts_at < self.now
                attendance = rng.randint(8, 60)
                pillar = self.pillars[index % len(self.pillars)]
                workshop = Workshop(
                    round_id=round_.id,
                    title=f"Atelier {pillar.name_fr} n° {index + 1}",
                    starts_at=starts_at,
                    ends_at=starts_at + timedelta(hours=2, minutes=30),
                    place=f"Salle des fêtes{rng.choice(french.PLACES)}",
                    expected_attendance=attendance + rng.randint(0, 10),
                    attendance=attendance if held else None,
                    state="transcribed" if held else "planned",
                    created_by_id=self.facilitators[index % len(self.facilitators)],
                    pillars=[pillar],
                )
                self.db.session.add(workshop)
                self.workshop_count += 1
                if held:
                    self.held[slug].append(workshop)
        self.db.session.flush()

    # --- proposals and what refers to them: made in memory, written by ``write`` ----------

    def proposals(self) -> None:
        """Each round's share, numbered after the proposals already in it, with its trail."""
        from ..models import Proposal

        self.made: list[Made] = []
        self.proposal_rows = []
        self.events = []
        next_id = self.writer.next_id(Proposal.__table__)
        for shape in ROUNDS:
            round_ = self.round_by_slug[shape.slug]
            number = (
                self.db.session.scalar(
                    select(func.max(Proposal.number)).where(Proposal.round_id == round_.id)
                )
                or 0
            ) + 1
            count = round(self.plan.proposals * shape.share)
            if shape is ROUNDS[-1]:
                count = self.plan.proposals - len(self.proposal_rows)
            # (id, number) of the proposals a later duplicate can be merged into
            absorbers = []
            for _ in range(count):
                status, hidden, _weight = _weighted(self.rng, shape.statuses)
                if shape.slug == MEASURED_ROUND and self.busiest_id is None:
                    status, hidden = "published", False
                    self.busiest_id, self.busiest_number = next_id, number
                target = None
                if status == "merged":
                    if absorbers:
                        target = self.rng.choice(absorbers)
                    else:
                        status = "published"
                self._proposal(next_id, number, round_, shape, status, hidden, target)
                if allows(status, Allows.ABSORB) and not hidden:
                    absorbers.append((next_id, number))
                next_id += 1
                number += 1
        self.by_id = {row[P["id"]]: row for row in self.proposal_rows}

    def _proposal(self, id_, number, round_, shape, status, hidden, target) -> None:
        from ..text import render_markdown

        rng, now = self.rng, self.now
        pillar = rng.choice(self.pillars)
        created_at = _between(
            rng, round_.collect_starts_at, min(round_.collect_ends_at, now - timedelta(hours=1))
        )
        workshop = None
        if self.held[shape.slug] and rng.random() < 0.06:
            # A card typed in after its workshop.
            workshop = rng.choice(self.held[shape.slug])
            created_at = min(max(created_at, workshop.ends_at), now - timedelta(minutes=1))
        author = None if workshop else rng.choice(self.user_ids)
        typist = rng.choice(self.facilitators) if workshop else None
        title = french.title(rng, pillar.slug)
        body = french.body(rng, pillar.slug, title)
        published_at = None if status == "submitted" else created_at + timedelta(minutes=5)
        decided_at = min(created_at + timedelta(days=rng.randint(1, 30)), now)
        reason = rng.choice(DECISION_REASONS[status]) if status in DECISION_REASONS else None
        # The trail, as the services write it; the last change of status dates the row.
        changed_at = created_at

        def event(actor, kind, source, to, note, when, public=True):
            nonlocal changed_at
            self.events.append((id_, actor, kind, source, to, note, public, when))
            if kind != "hidden":
                changed_at = when

        event(author or typist, "submitted", None, "submitted", None, created_at)
        if published_at:
            event(None, "status", "submitted", "published", None, published_at)
        if status in DECISION_REASONS:
            event(self.moderator.id, "status", "published", status, reason, decided_at)
        elif status == "merged":
            note = f"Doublon de la proposition P-{target[1]}"
            event(self.moderator.id, "status", "published", status, note, decided_at)
        elif status == "withdrawn":
            event(author or typist, "status", "published", status, None, decided_at)
        if hidden:
            event(self.moderator.id, "hidden", None, None, None, decided_at, public=False)
        values = dict(
            id=id_,
            round_id=round_.id,
            number=number,
            pillar_id=pillar.id,
            neighbourhood_id=rng.choice(self.neighbourhood_ids) if rng.random() < 0.6 else None,
            author_id=author,
            origin="workshop" if workshop else "online",
            workshop_id=workshop.id if workshop else None,
            entered_by_id=typist,
            title=title,
            body=body,
            body_html=render_markdown(body),
            status=status,
            merged_into_id=target[0] if target else None,
            decision_reason=reason,
            hidden_at=decided_at if hidden else None,
            hidden_reason="Signalée à plusieurs reprises." if hidden else None,
            # Counters start at zero; the rows they count add to them.
            support_count=0,
            paper_support_count=0,
            comment_count=0,
            shuffle_key=self.shuffle_keys.randrange(SHUFFLE_KEYS),
            # Generated rows stand for real content.
            is_sample=False,
            created_at=created_at,
            updated_at=changed_at,
            published_at=published_at,
            # A moderator's decision locks the text (so does the first support, below).
            locked_at=decided_at if status in DECISION_REASONS or target else None,
        )
        assert len(values) == len(PROPOSAL_COLUMNS)
        self.proposal_rows.append([values[name] for name in PROPOSAL_COLUMNS])

        self.made.append(Made(id_, shape.slug, status, hidden, created_at))

    def supports(self) -> None:
        """Online supports with a long tail, on the proposals that can be supported."""
        self.supportable = [p for p in self.made if allows(p.status, HOLDS_SUPPORTS)]
        self.support_counts = long_tail(
            self.plan.supports, len(self.supportable), self.rng, cap=self.plan.users
        )
        for made, count in zip(self.supportable, self.support_counts, strict=True):
            row = self.by_id[made.id]
            row[P["support_count"]] = count
            if count and row[P["locked_at"]] is None:
                row[P["locked_at"]] = made.created_at + timedelta(hours=1)

    def _support_rows(self):
        """Made while written: 1.7 million rows need not be held in memory."""
        first_user = self.user_ids[0]
        for made, count in zip(self.supportable, self.support_counts, strict=True):
            round_ = self.round_by_slug[made.round]
            until = min(self.now, round_.vote_ends_at or self.now)
            for index in self.rng.sample(range(self.plan.users), count):
                when = _between(self.rng, made.created_at, until)
                yield (made.id, first_user + index, round_.id, when)

    def paper_supports(self) -> None:
        """Sticker votes of each held workshop, within what its attendance allows."""
        self.paper_rows = []
        for slug, held in self.held.items():
            candidates = [p.id for p in self.supportable if p.round == slug]
            stickers_each = self.round_by_slug[slug].stickers_per_person
            for workshop in held:
                chosen = self.rng.sample(candidates, min(30, len(candidates)))
                stickers = workshop.attendance * stickers_each * 4 // 5
                counts = long_tail(stickers, len(chosen), self.rng, stickers)
                for proposal_id, count in zip(chosen, counts, strict=True):
                    if not count:
                        continue
                    self.by_id[proposal_id][P["paper_support_count"]] += count
                    self.paper_rows.append(
                        (
                            workshop.id,
                            proposal_id,
                            count,
                            0,
                            count,
                            self.facilitators[0],
                            workshop.ends_at,
                            workshop.ends_at,
                        )
                    )

    def comments(self) -> None:
        """1,000 on the measured round's first proposal, a long tail on the other visible
        ones; a quarter are replies; a few deleted by their author or hidden."""
        from ..models import Comment
        from ..text import render_markdown

        rng = self.rng
        others = [
            p
            for p in self.made
            if allows(p.status, Allows.COMMENT) and not p.hidden and p.id != self.busiest_id
        ]
        counts = long_tail(
            self.plan.comments - BUSIEST_COMMENTS, len(others), rng, cap=MAX_OTHER_COMMENTS
        )
        targets = [(self.by_id[self.busiest_id], BUSIEST_COMMENTS)] + [
            (self.by_id[p.id], count) for p, count in zip(others, counts, strict=True) if count
        ]
        pool = [french.comment(rng) for _ in range(4_000)]
        rendered = {}
        comment_id = self.writer.next_id(Comment.__table__)
        self.comment_rows = []
        for proposal, count in targets:
            top_level = []
            created_at = proposal[P["created_at"]]
            step = max(60.0, (self.now - created_at).total_seconds() / (count + 1))
            for _ in range(count):
                created_at = min(created_at + timedelta(seconds=step * rng.random() * 2), self.now)
                parent = rng.choice(top_level) if top_level and rng.random() < REPLY_SHARE else None
                body = rng.choice(pool)
                if body not in rendered:
                    rendered[body] = render_markdown(body)
                roll = rng.random()
                deleted_at = created_at + timedelta(hours=1) if roll < 0.005 else None
                hidden_at = created_at + timedelta(hours=2) if 0.005 <= roll < 0.01 else None
                row = [
                    comment_id,
                    proposal[P["id"]],
                    parent[C["id"]] if parent else None,
                    rng.choice(self.user_ids),
                    "online",
                    body,
                    rendered[body],
                    0,
                    created_at,
                    deleted_at,
                    hidden_at,
                    "Propos insultants." if hidden_at else None,
                ]
                self.comment_rows.append(row)
                if deleted_at is None and hidden_at is None:
                    proposal[P["comment_count"]] += 1
                    if parent:
                        parent[C["reply_count"]] += 1
                if parent is None:
                    top_level.append(row)
                comment_id += 1

    def reports(self) -> None:
        """Open reports on comments and proposals of the open rounds, for the moderator's home."""
        rng = self.rng
        open_rounds = {shape.slug for shape in ROUNDS if not shape.closed}
        open_round_ids = {self.round_by_slug[slug].id for slug in open_rounds}
        comments = [
            row[C["id"]]
            for row in self.comment_rows
            if self.by_id[row[C["proposal_id"]]][P["round_id"]] in open_round_ids
        ]
        proposals = [
            p.id for p in self.made if p.round in open_rounds and allows(p.status, Allows.PUBLIC)
        ]
        reported = set()
        self.report_rows = []
        while len(self.report_rows) < self.plan.reports:
            reporter = rng.choice(self.user_ids)
            if comments and rng.random() < 0.7:
                key = (reporter, None, rng.choice(comments))
            else:
                key = (reporter, rng.choice(proposals), None)
            if key in reported:
                continue
            reported.add(key)
            when = self.now - timedelta(hours=rng.randint(1, 500))
            self.report_rows.append((*key, rng.choice(REPORT_REASONS), when))

    def write(self) -> dict:
        """Every row made in memory, each table after those it refers to; how many of each."""
        from ..models import Comment, PaperSupport, Proposal, ProposalEvent, Report, Support

        writer = self.writer
        # A merged proposal comes after the one it was merged into: its target is written first.
        writer.write(Proposal.__table__, PROPOSAL_COLUMNS, map(tuple, self.proposal_rows))
        writer.sync_sequence(Proposal.__table__)
        writer.write(
            ProposalEvent.__table__,
            (
                "proposal_id",
                "actor_id",
                "kind",
                "from_status",
                "to_status",
                "note",
                "is_public",
                "created_at",
            ),
            self.events,
        )
        writer.write(
            PaperSupport.__table__,
            (
                "workshop_id",
                "proposal_id",
                "count",
                "card_count",
                "sheet_count",
                "entered_by_id",
                "entered_at",
                "updated_at",
            ),
            self.paper_rows,
        )
        writer.write(Comment.__table__, COMMENT_COLUMNS, map(tuple, self.comment_rows))
        writer.sync_sequence(Comment.__table__)
        supports = writer.write(
            Support.__table__,
            ("proposal_id", "user_id", "round_id", "created_at"),
            self._support_rows(),
        )
        writer.write(
            Report.__table__,
            ("reporter_id", "proposal_id", "comment_id", "reason", "created_at"),
            self.report_rows,
        )
        return {
            "users": self.plan.users,
            "proposals": len(self.proposal_rows),
            "proposals_by_round": dict(Counter(p.round for p in self.made)),
            "supports": supports,
            "paper_supports": len(self.paper_rows),
            "comments": len(self.comment_rows),
            "busiest_comments": BUSIEST_COMMENTS,
            "reports": len(self.report_rows),
            "workshops": self.workshop_count,
        }


def inventory(db) -> dict:
    """What the database holds, counted: the figures a report states."""
    from ..models import Comment, PaperSupport, Proposal, Report, Round, Support, User, Workshop

    def count(model, *where) -> int:
        return db.session.scalar(select(func.count()).select_from(model).where(*where))

    by_round = db.session.execute(
        select(Round.slug, func.count(Proposal.id))
        .join(Proposal, Proposal.round_id == Round.id)
        .group_by(Round.slug)
    ).all()
    return {
        "users": count(User),
        "proposals": count(Proposal),
        "proposals_by_round": dict(sorted(by_round)),
        "supports": count(Support),
        "paper_supports": count(PaperSupport),
        "comments": count(Comment),
        "reports": count(Report),
        "workshops": count(Workshop),
    }
