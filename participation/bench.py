"""Benchmark: page times and SQL query counts at a given scale (not a test).

    make bench                       # 10 % of Madrid's scale on SQLite (instance/bench.sqlite3)
    BENCH_SCALE=1 make bench         # 30,000 proposals, 500,000 users, 1.7 million supports
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench make bench

The data is generated with bulk inserts into a fresh schema built by the migrations; each page
is then fetched through the test client several times. It prints a table and writes
bench-results/<database>-<scale>.json.
"""

import json
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import event, func, insert, select, text, update

MADRID = {"users": 500_000, "proposals": 30_000, "supports": 1_700_000}
BATCH = 20_000


def _scale() -> float:
    return float(os.environ.get("BENCH_SCALE", "0.1"))


def _database_url(root: Path) -> str:
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        return url
    path = root / "instance" / "bench.sqlite3"
    path.parent.mkdir(exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def _chunks(rows, size=BATCH):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def generate(db, scale: float) -> dict:
    from participation.accounts.passwords import hash_password
    from participation.history.sample import load_sample_content
    from participation.history.services import import_smart_days_2018
    from participation.models import Comment, Proposal, Round, Support, User, utcnow
    from participation.text import render_markdown

    import_smart_days_2018()
    load_sample_content()
    db.session.commit()
    round_ = db.session.scalar(select(Round).where(Round.is_sample.is_(True)))
    pillar_ids = [p.id for p in round_.pillars]
    rng = random.Random(2032)
    n_users = max(100, int(MADRID["users"] * scale))
    n_props = max(50, int(MADRID["proposals"] * scale))
    n_supports = max(500, int(MADRID["supports"] * scale))
    now = utcnow()
    password = hash_password("benchmark password")
    started = time.perf_counter()

    first_user = (db.session.scalar(select(func.max(User.id))) or 0) + 1
    for batch in _chunks(
        {
            "email": f"bench{i}@example.org",
            "display_name": f"Habitant {i}",
            "password_hash": password,
            "role": "resident",
            "email_confirmed_at": now,
            "session_nonce": f"{i:016x}",
            "created_at": now,
            "notify_by_email": True,
        }
        for i in range(n_users)
    ):
        db.session.execute(insert(User), batch)
    user_ids = list(range(first_user, first_user + n_users))
    body = "Une proposition de démonstration pour mesurer les pages, avec un peu de texte."
    html = render_markdown(body)
    words = [
        "vélo",
        "jardin",
        "école",
        "parc",
        "bus",
        "marché",
        "musée",
        "sport",
        "santé",
        "quartier",
    ]
    for batch in _chunks(
        {
            "round_id": round_.id,
            "number": i + 1,
            "pillar_id": pillar_ids[i % len(pillar_ids)],
            "author_id": user_ids[i % n_users],
            "origin": "online",
            "title": f"Proposition {i} : {rng.choice(words)} et {rng.choice(words)}",
            "body": body,
            "body_html": html,
            "status": "published",
            "support_count": 0,
            "paper_support_count": 0,
            "comment_count": 0,
            "is_sample": True,
            "created_at": now - timedelta(minutes=i),
            "updated_at": now,
            "published_at": now - timedelta(minutes=i),
        }
        for i in range(n_props)
    ):
        db.session.execute(insert(Proposal), batch)
    proposal_ids = list(
        db.session.scalars(select(Proposal.id).where(Proposal.round_id == round_.id))
    )

    # Popular proposals get most supports (a long tail), each (proposal, user) pair once.
    def support_rows():
        seen = set()
        while len(seen) < n_supports:
            proposal = proposal_ids[min(int(rng.paretovariate(1.2)) - 1, len(proposal_ids) - 1)]
            user = rng.choice(user_ids)
            if (proposal, user) in seen:
                continue
            seen.add((proposal, user))
            yield {
                "proposal_id": proposal,
                "user_id": user,
                "round_id": round_.id,
                "created_at": now,
            }

    for batch in _chunks(support_rows()):
        db.session.execute(insert(Support), batch)
    counted = select(func.count()).select_from(Support).where(Support.proposal_id == Proposal.id)
    db.session.execute(update(Proposal).values(support_count=counted.scalar_subquery()))

    busiest = proposal_ids[0]
    comment_html = render_markdown("Un commentaire de démonstration.")
    for batch in _chunks(
        {
            "proposal_id": busiest,
            "author_id": rng.choice(user_ids),
            "origin": "online",
            "body": "Un commentaire de démonstration.",
            "body_html": comment_html,
            "reply_count": 0,
            "created_at": now + timedelta(seconds=i),
        }
        for i in range(1000)
    ):
        db.session.execute(insert(Comment), batch)
    db.session.execute(update(Proposal).where(Proposal.id == busiest).values(comment_count=1000))
    db.session.commit()
    return {
        "users": n_users,
        "proposals": n_props,
        "supports": n_supports,
        "comments_on_one": 1000,
        "generation_seconds": round(time.perf_counter() - started, 1),
        "round_slug": round_.slug,
        "busiest_number": 1,
    }


def measure(app, db, pages: list[tuple[str, str]], runs: int = 5, as_user=None) -> list[dict]:
    client = app.test_client()
    if as_user is not None:
        with client.session_transaction() as session:
            session["_user_id"] = as_user.get_id()
            session["_fresh"] = True
    statements = []

    def count(*_args):
        statements.append(1)

    results = []
    for name, url in pages:
        timings, queries, status = [], 0, None
        for _ in range(runs):
            statements.clear()
            event.listen(db.engine, "before_cursor_execute", count)
            started = time.perf_counter()
            with app.app_context():  # a fresh context per request, as a server has
                response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            event.remove(db.engine, "before_cursor_execute", count)
            queries, status = len(statements), response.status_code
        results.append(
            {
                "page": name,
                "url": url,
                "status": status,
                "queries": queries,
                "median_ms": round(statistics.median(timings), 1),
                "max_ms": round(max(timings), 1),
            }
        )
    return results


def main() -> int:
    from participation import ROOT, create_app
    from participation.extensions import db
    from participation.models import User

    scale = _scale()
    url = _database_url(ROOT)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "RATELIMIT_ENABLED": False,
            "SERVER_NAME": "localhost",
            "WTF_CSRF_ENABLED": False,
        }
    )
    with app.app_context():
        from flask_migrate import upgrade

        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()
        print(f"Generating data at scale {scale} on {db.engine.dialect.name}…", flush=True)
        data = generate(db, scale)
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("ANALYZE"))
        moderator = User(
            email="bench-moderator@example.org",
            display_name="Modération",
            role="moderator",
            password_hash="x",
            session_nonce="benchmoderator",
        )
        db.session.add(moderator)
        db.session.commit()
        base = f"/rounds/{data['round_slug']}"
        pages = [
            ("home", "/"),
            ("round", base),
            ("proposals, most supported", f"{base}/proposals/"),
            ("proposals, page 50", f"{base}/proposals/?page=50"),
            ("proposals, newest", f"{base}/proposals/?sort=newest"),
            ("proposals, random", f"{base}/proposals/?sort=random&seed=77"),
            ("proposals, search", f"{base}/proposals/?q=jardin"),
            ("proposal with 1,000 comments", f"{base}/proposals/1"),
            ("pillar", "/pillars/habitat-environnement"),
            ("deliberations", "/deliberations/"),
        ]
        results = measure(app, db, pages)
        results += measure(app, db, [("moderator home", "/moderation/")], as_user=moderator)
    print(
        f"\n{data['users']:,} users · {data['proposals']:,} proposals · {data['supports']:,} supports "
        f"(generated in {data['generation_seconds']} s)\n"
    )
    print(f"{'page':32} {'status':>6} {'queries':>7} {'median ms':>10} {'max ms':>8}")
    for r in results:
        print(
            f"{r['page']:32} {r['status']:>6} {r['queries']:>7} {r['median_ms']:>10} {r['max_ms']:>8}"
        )
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    name = f"{'postgresql' if url.startswith('postgresql') else 'sqlite'}-{scale}.json"
    (out / name).write_text(json.dumps({"scale": scale, "data": data, "pages": results}, indent=2))
    print(f"\nwritten to bench-results/{name}")
    return 0 if all(r["status"] == 200 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
