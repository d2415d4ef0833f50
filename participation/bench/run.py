"""The benchmark's run: data, query counts, then the pages through gunicorn and wrk."""

import hashlib
import json
import os
import platform
import secrets
import signal
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import event, func, make_url, select, text

from .. import ROOT
from .app import BARE_PATH, create_bench_app
from .generate import MEASURED_ROUND, MODERATOR_EMAIL, generate, inventory
from .load import Gunicorn, drive, fetch, serve, wrk_version
from .proxy import Nginx, cache_status, nginx_path, nginx_version, serve_nginx

RESULTS = ROOT / "bench-results"
FILTER_PILLAR = "mobilite-transports"
SEARCH = "vélo"


@dataclass(frozen=True)
class Page:
    name: str
    url: str
    # Fetched with the session cookie of the generated "moderator" or of a "resident"; None: a
    # visitor.
    as_person: str | None = None
    # Asked of nginx in front of gunicorn, as the deployment example sets it up (its cache
    # serves a visitor's page again), instead of gunicorn itself.
    through_nginx: bool = False
    # The visitor's page a signed-in person's page is compared with: the two are also measured
    # in turns, a second each, so that the machine's other work weighs on both alike.
    beside: str | None = None


@dataclass(frozen=True)
class Settings:
    scale: float
    database_url: str
    generate: bool
    connections: tuple[int, ...]
    duration: int
    warmup: int
    server: Gunicorn
    # nginx in front, for the pages asked through it; None: those pages are left out.
    nginx: str | None
    # Only the pages whose name holds one of these (all when empty).
    only: tuple[str, ...] = ()
    # A database at another scale, filled by an earlier run: each page is also driven in turns
    # on it and on this one (``beside_scale``); None: not compared.
    beside_url: str | None = None

    @classmethod
    def from_environment(cls) -> "Settings":
        env = os.environ.get
        return cls(
            scale=float(env("BENCH_SCALE", "0.1")),
            database_url=env("BENCH_DATABASE_URL")
            or f"sqlite:///{ROOT / 'instance' / 'bench.sqlite3'}",
            generate=env("BENCH_GENERATE", "1") != "0",
            connections=tuple(int(n) for n in env("BENCH_CONNECTIONS", "1,8,32").split(",")),
            duration=int(env("BENCH_DURATION", "10")),
            warmup=int(env("BENCH_WARMUP", "1")),
            server=Gunicorn(
                workers=int(env("BENCH_WORKERS", "2")), port=int(env("BENCH_PORT", "8765"))
            ),
            nginx=nginx_path() if env("BENCH_NGINX", "1") != "0" else None,
            only=tuple(part.strip() for part in env("BENCH_PAGES", "").split(",") if part.strip()),
            beside_url=env("BENCH_BESIDE_DATABASE_URL") or None,
        )

    @property
    def database(self) -> str:
        return "postgresql" if self.database_url.startswith("postgresql") else "sqlite"


def pages(db) -> list[Page]:
    """The pages measured, found in the data: the measured round, its busiest proposal…"""
    from flask import current_app

    from ..models import Pillar, Proposal, Round

    round_ = db.session.scalar(select(Round).where(Round.slug == MEASURED_ROUND))
    busiest = db.session.scalar(
        select(Proposal.number)
        .where(Proposal.round_id == round_.id)
        .order_by(Proposal.comment_count.desc(), Proposal.id)
        .limit(1)
    )
    pillar_id = db.session.scalar(select(Pillar.id).where(Pillar.slug == FILTER_PILLAR))
    # A deep page: the 50th, or the last full one of a smaller round (at 1/100 of the scale the
    # round has 9 pages, and an empty 50th page measured no card at all).
    visible = db.session.scalar(
        select(func.count()).where(Proposal.round_id == round_.id, Proposal.is_visible)
    )
    deep = max(1, min(50, visible // current_app.config["PAGE_SIZE"]))
    base = f"/rounds/{round_.slug}"
    listing = f"{base}/proposals/"
    return [
        Page("bare route", BARE_PATH),
        Page("home", "/"),
        Page("round", base),
        Page("proposals, most supported", listing),
        Page("proposals, newest", f"{listing}?sort=newest"),
        Page("proposals, most commented", f"{listing}?sort=comments"),
        Page("proposals, random", f"{listing}?sort=random&seed=77"),
        Page("proposals, deep page", f"{listing}?page={deep}"),
        Page("proposals, filtered by pillar", f"{listing}?pillar={pillar_id}"),
        Page("proposals, search", f"{listing}?q={quote(SEARCH)}"),
        Page("search page", f"/search/?q={quote(SEARCH)}"),
        Page("proposal with 1,000 comments", f"{listing}{busiest}"),
        Page("pillar", f"/pillars/{FILTER_PILLAR}"),
        Page("deliberations", "/deliberations/"),
        Page("masterplan", "/masterplan/"),
        Page("statistics", f"{base}/statistics"),
        Page("API, proposals", f"/api/v1/proposals?round={round_.slug}"),
        Page("moderator home", "/moderation/", as_person="moderator"),
        # What a signed-in resident is shown: their supports marked, the forms with a token.
        Page(
            "proposals, most supported, signed in",
            listing,
            as_person="resident",
            beside="proposals, most supported",
        ),
        Page(
            "proposal with 1,000 comments, signed in",
            f"{listing}{busiest}",
            as_person="resident",
            beside="proposal with 1,000 comments",
        ),
        # A visitor's repeat views, served by nginx's cache for the few seconds the app allows.
        Page("proposals, most supported, via nginx", listing, through_nginx=True),
        Page("proposal with 1,000 comments, via nginx", f"{listing}{busiest}", through_nginx=True),
    ]


def prepare(app, db, settings: Settings) -> dict:
    """A fresh schema built by the migrations, filled at the scale (or the data already there,
    migrated); then the planner's statistics, as a maintained database has them."""
    from flask_migrate import upgrade

    if settings.generate:
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        else:
            db.engine.dispose()
            path = Path(db.engine.url.database)
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
    upgrade()
    data = generate(db, settings.scale) if settings.generate else {"scale": settings.scale}
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        with db.engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    return data


def person_sessions(db) -> dict[str, tuple[int, dict]]:
    """The id and the session cookie's content of each person the pages are fetched as: the
    generated moderator, and a resident who supports proposals (the generator's supporters are
    residents), confirmed and not blocked."""
    from ..models import Support, User

    moderator = db.session.scalar(select(User).where(User.email == MODERATOR_EMAIL))
    resident = db.session.scalar(
        select(User)
        .join(Support, Support.user_id == User.id)
        .where(
            User.email_confirmed_at.is_not(None),
            User.blocked_at.is_(None),
            User.erased_at.is_(None),
        )
        .order_by(Support.id)
        .limit(1)
    )
    return {"moderator": _session(db, moderator), "resident": _session(db, resident)}


def _session(db, user) -> tuple[int, dict]:
    """A session kept on the server, as signing in opens one, and its cookie's content."""
    from ..accounts import sessions

    token = sessions.start(user, "benchmark")
    db.session.commit()
    return user.id, {
        "_user_id": token,
        # Not fresh: a session seen from another address is marked so by Flask-Login, which
        # would then rewrite the cookie on every answer.
        "_fresh": False,
        # Kept between requests, as a browser does once the first form was shown.
        "csrf_token": hashlib.sha1(os.urandom(64)).hexdigest(),
    }


def count_queries(
    app, db, pages_: list[Page], sessions: dict[str, dict], runs: int = 3
) -> dict[str, dict]:
    """Each page through the test client, after a first visit: its status, its SQL queries, and
    where its time goes (the run of median time: in all, and waiting for the database)."""
    clients = {None: app.test_client()}
    for person, session in sessions.items():
        clients[person] = app.test_client()
        with clients[person].session_transaction() as cookie:
            cookie.update(session)
    sql_seconds = []

    def before(conn, *_args):
        conn.info["bench_started"] = time.perf_counter()

    def after(conn, *_args):
        sql_seconds.append(time.perf_counter() - conn.info.pop("bench_started"))

    with app.app_context():
        engine = db.engine
    found = {}
    for page in pages_:
        visitor = clients[page.as_person]
        with app.app_context():
            visitor.get(page.url)
        measured = []
        event.listen(engine, "before_cursor_execute", before)
        event.listen(engine, "after_cursor_execute", after)
        try:
            for _ in range(runs):
                sql_seconds.clear()
                started = time.perf_counter()
                with app.app_context():  # a fresh context per request, as a server has
                    response = visitor.get(page.url)
                elapsed = time.perf_counter() - started
                measured.append((elapsed, sum(sql_seconds), len(sql_seconds)))
        finally:
            event.remove(engine, "before_cursor_execute", before)
            event.remove(engine, "after_cursor_execute", after)
        elapsed, sql, queries = sorted(measured)[len(measured) // 2]
        found[page.name] = {
            "status": response.status_code,
            "queries": queries,
            "test_client_ms": round(elapsed * 1000, 1),
            "sql_ms": round(sql * 1000, 1),
        }
    return found


def session_cookie(secret_key: str, session: dict) -> str:
    """The cookie a browser would send for ``session``, signed for the server's secret key."""
    app = create_bench_app({"SECRET_KEY": secret_key, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    serializer = app.session_interface.get_signing_serializer(app)
    return f"{app.config['SESSION_COOKIE_NAME']}={serializer.dumps(session)}"


@dataclass(frozen=True)
class Beside:
    """The database at another scale each page is compared with, in turns: its pages (the same
    names, its own proposals), the sessions of its people, what it holds."""

    pages: list[Page]
    sessions: dict[str, dict]
    data: dict
    # Where it is, its password left out.
    database: str = ""


def beside_scale(url: str) -> Beside:
    """What the pages are at the other scale, in a database filled by an earlier run."""
    from flask_migrate import upgrade

    from ..extensions import db

    app = create_bench_app(
        {"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False, "SERVER_NAME": None}
    )
    with app.app_context():
        upgrade()
        found = Beside(
            pages=[page for page in pages(db) if not page.through_nginx],
            sessions={person: s for person, (_id, s) in person_sessions(db).items()},
            data=inventory(db),
            database=make_url(url).render_as_string(hide_password=True),
        )
        db.session.remove()
        db.engine.dispose()
    return found


def warm(settings: Settings, server: Gunicorn, base_url: str, page: Page, cookie: str | None):
    """Ask ``page`` until every worker has answered it 200, then drive it for the warm-up."""
    for _ in range(2 * server.workers):
        status = fetch(base_url + page.url, cookie)
        if status != 200:
            raise PageFailed(f"{page.name} ({base_url}{page.url}) answered {status}")
    # Measured as repeat views: nginx must be answering from its cache, not passing
    # every request on.
    if page.through_nginx and (cached := cache_status(base_url + page.url)) != "HIT":
        raise PageFailed(f"{page.name} ({page.url}): nginx's cache answered {cached}")
    # Warm every worker, as a server that has been running is: its templates compiled,
    # its connection open, its statements prepared (psycopg prepares a statement on its
    # sixth run on a connection, and PostgreSQL settles on a plan after five more). Not
    # the bare route: it has nothing to warm, and the one run where it was warmed had
    # requests stalled for a second or more at 8 connections (2,000 connections a
    # second, each closed by a sync worker), which no other run had.
    if settings.warmup and page.url != BARE_PATH:
        drive(base_url + page.url, max(settings.connections), settings.warmup, cookie)
        drain(server)


def measure(
    settings: Settings,
    pages_: list[Page],
    sessions: dict[str, dict],
    beside: Beside | None = None,
) -> tuple[dict[str, list[dict]], list[dict], list[dict]]:
    """Every page through gunicorn in the production configuration, at each connection count;
    then each signed-in page and the visitor's page it is compared with, in turns; then, with a
    database at another scale (``beside``), each page on a second gunicorn serving it and on
    this one, in turns."""
    secret_key = secrets.token_urlsafe(32)
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("SERVER_NAME", "TRUSTED_PROXIES", "FLASK_DEBUG")
    }
    environment.update(
        PARTICIPATION_ENV="production",
        SECRET_KEY=secret_key,
        DATABASE_URL=settings.database_url,
        # Mail links' address; the server answers only its host (TRUSTED_HOSTS).
        PUBLIC_URL=settings.server.base_url,
        # One address sends every request: the limits would answer 429 after a few.
        RATELIMIT_ENABLED="false",
        # One proxy in front for the pages asked through nginx, as deployed (the others come
        # without its headers, and are answered as they are).
        TRUSTED_PROXIES="1",
    )
    if beside is not None:
        # Each server's workers keep their own figures: in Redis, the two databases' figures
        # would share their keys (the same function, the same round ids), and one scale would
        # be shown the other's.
        environment.pop("REDIS_URL", None)
    cookies = {person: session_cookie(secret_key, s) for person, s in sessions.items()}
    server = settings.server
    RESULTS.mkdir(exist_ok=True)
    results = {}
    with ExitStack() as running:
        running.enter_context(serve(server, environment, RESULTS / "gunicorn.log"))
        # A fresh folder each run: nginx's cache starts empty.
        folder = running.enter_context(tempfile.TemporaryDirectory(prefix="bench-nginx-"))
        proxy = Nginx(Path(folder), server.port, server.port + 1, server.port + 2)
        if settings.nginx and any(page.through_nginx for page in pages_):
            running.enter_context(serve_nginx(settings.nginx, proxy))
        for page in pages_:
            page_cookie = cookies.get(page.as_person)
            base_url = proxy.base_url if page.through_nginx else server.base_url
            warm(settings, server, base_url, page, page_cookie)
            results[page.name] = []
            for connections in settings.connections:
                run = drive(base_url + page.url, connections, settings.duration, page_cookie)
                # The machine's load over the last minute: other work weighs on the figures.
                run["load_average"] = round(os.getloadavg()[0], 2)
                results[page.name].append(run)
                drain(server)
                print(
                    f"  {page.name:41} {connections:>3} conn. {run['requests_per_s']:>8.1f} req/s "
                    f"p50 {run['p50_ms']:>7.1f}  p95 {run['p95_ms']:>7.1f}  p99 {run['p99_ms']:>7.1f} ms "
                    f"(load {run['load_average']})",
                    flush=True,
                )
        by_name = {page.name: page for page in pages_}
        pairs = []
        for page in pages_:
            visitors = by_name.get(page.beside) if page.beside else None
            if visitors is None:
                continue
            for connections in settings.connections:
                pair = in_turns(
                    (server, visitors.url, cookies.get(visitors.as_person)),
                    (server, page.url, cookies.get(page.as_person)),
                    connections,
                    settings.duration,
                )
                pairs.append({"page": page.name, "beside": visitors.name, **pair})
                print(
                    f"  {page.name:41} {connections:>3} conn. in turns with {visitors.name!r}: "
                    f"{pair['ratio']}× its time",
                    flush=True,
                )
        scales = []
        if beside is not None:
            other = Gunicorn(workers=server.workers, port=server.port + 3)
            there = dict(environment, DATABASE_URL=settings.beside_url, PUBLIC_URL=other.base_url)
            running.enter_context(serve(other, there, RESULTS / "gunicorn-beside.log"))
            cookies_there = {p: session_cookie(secret_key, s) for p, s in beside.sessions.items()}
            twins = {page.name: page for page in beside.pages}
            for page in pages_:
                twin = twins.get(page.name)
                if twin is None:
                    continue
                cookie_there = cookies_there.get(twin.as_person)
                # Both warmed again: since this page was measured, gunicorn may have replaced
                # workers (``max_requests``), which would start the turns cold on one side.
                warm(settings, other, other.base_url, twin, cookie_there)
                warm(settings, server, server.base_url, page, cookies.get(page.as_person))
                for connections in settings.connections:
                    pair = in_turns(
                        (other, twin.url, cookie_there),
                        (server, page.url, cookies.get(page.as_person)),
                        connections,
                        settings.duration,
                    )
                    scales.append({"page": page.name, **pair})
                    print(
                        f"  {page.name:41} {connections:>3} conn. in turns with the other "
                        f"scale: {pair['ratio']}× its time",
                        flush=True,
                    )
    return results, pairs, scales


def in_turns(
    first: tuple[Gunicorn, str, str | None],
    second: tuple[Gunicorn, str, str | None],
    connections: int,
    turns: int,
) -> dict:
    """Two pages (server, path, cookie) driven by turns, a second each, ``turns`` times: what
    the other work of the machine takes weighs on both alike, where two runs minutes apart can
    differ by half. The ratio is the first page's requests/s over the second's: how many times
    the second's time."""
    runs: tuple[list[dict], list[dict]] = ([], [])
    for _ in range(max(turns, 1)):
        for (server, path, cookie), done in zip((first, second), runs, strict=True):
            done.append(drive(server.base_url + path, connections, 1, cookie))
            drain(server)
    return turns_summary(connections, *runs)


def turns_summary(connections: int, first: list[dict], second: list[dict]) -> dict:
    """The figures of two pages measured in turns (``in_turns``)."""

    def rate(runs: list[dict]) -> float:
        seconds = sum(run["seconds"] for run in runs)
        return sum(run["requests"] for run in runs) / seconds if seconds else 0.0

    statuses: dict[int, int] = {}
    for run in first + second:
        for status, n in run["statuses"].items():
            statuses[status] = statuses.get(status, 0) + n
    first_rate, second_rate = rate(first), rate(second)
    return {
        "connections": connections,
        "turns": len(first),
        "beside_requests_per_s": round(first_rate, 1),
        "requests_per_s": round(second_rate, 1),
        "ratio": round(first_rate / second_rate, 2) if first_rate and second_rate else None,
        "requests": sum(run["requests"] for run in second),
        "statuses": statuses,
        "errors": sum(run["errors"] for run in first + second),
    }


def drain(server: Gunicorn) -> None:
    """Wait for the requests wrk left behind: when it stops, the requests of its connections
    still wait in the server's queue, and the workers would answer them during the next run.
    A request queued after them comes back once they are done."""
    for _ in range(2 * server.workers):
        fetch(server.base_url + BARE_PATH)


class PageFailed(Exception):
    pass


def assemble(
    settings: Settings,
    data: dict,
    database: dict,
    pages_,
    queries,
    loads,
    loads_before,
    pairs,
    scales=(),
    beside: Beside | None = None,
) -> dict:
    bare = {run["connections"]: run["requests_per_s"] for run in loads["bare route"]}
    entries = []
    for page in pages_:
        runs = []
        for run in loads[page.name]:
            floor = bare.get(run["connections"])
            rate = run["requests_per_s"]
            # Two decimals below 1: a page that nginx's cache serves is faster than the bare route.
            ratio = floor / rate if floor and rate else None
            if ratio is not None:
                ratio = round(ratio, 2 if ratio < 1 else 1)
            runs.append({**run, "bare_ratio": ratio})
        entries.append({"page": page.name, "url": page.url, **queries[page.name], "runs": runs})
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "scale": settings.scale,
        "machine": {
            "cores": os.cpu_count(),
            "platform": platform.platform(),
            # Other work on the machine during the run weighs on every figure: said, not hidden.
            "load_average_before": loads_before,
            "load_average_after": [round(n, 2) for n in os.getloadavg()],
        },
        "database": database,
        "gunicorn": settings.server.describe(),
        "nginx": nginx_version(settings.nginx) if settings.nginx else None,
        "wrk": {
            "version": wrk_version(),
            "threads": 1,
            "duration_s": settings.duration,
            "warmup_s": settings.warmup,
            "connections": list(settings.connections),
        },
        "data": data,
        "pages": entries,
        "pairs": pairs,
        # Each page beside the same page at the other scale, in turns: "ratio" is how many times
        # the other scale's time this page takes.
        "beside_scale": (
            {"database": beside.database, "data": beside.data, "pairs": list(scales)}
            if beside
            else None
        ),
    }


def failures(report: dict) -> list[str]:
    problems = []
    for page in report["pages"]:
        if page["status"] != 200:
            problems.append(f"{page['page']}: {page['status']} through the test client")
        for run in page["runs"]:
            other = {s: n for s, n in run["statuses"].items() if s != 200}
            where = f"{page['page']} at {run['connections']} connections"
            if other or run["errors"]:
                problems.append(
                    f"{where}: statuses {run['statuses']}, {run['errors']} socket errors"
                )
            elif not run["requests"]:
                problems.append(f"{where}: no answer within the run (lengthen BENCH_DURATION)")
    beside_scale = report.get("beside_scale") or {}
    other_scale = [{**pair, "beside": "the other scale"} for pair in beside_scale.get("pairs", [])]
    for pair in report.get("pairs", []) + other_scale:
        where = (
            f"{pair['page']} in turns with {pair['beside']} at {pair['connections']} connections"
        )
        if set(pair["statuses"]) - {200} or pair["errors"]:
            problems.append(f"{where}: statuses {pair['statuses']}, {pair['errors']} socket errors")
        elif pair["ratio"] is None:
            problems.append(f"{where}: no answer within the run (lengthen BENCH_DURATION)")
    return problems


def print_table(report: dict) -> None:
    data = report["data"]
    print(
        f"\n{report['database']['name']} · scale {report['scale']} · {report['machine']['cores']} cores "
        f"· gunicorn {report['gunicorn']['workers']} {report['gunicorn']['worker_class']} workers "
        f"· wrk {report['wrk']['duration_s']} s per run · load average "
        f"{report['machine']['load_average_before'][0]} before, "
        f"{report['machine']['load_average_after'][0]} after"
    )
    if "users" in data:
        print(
            f"{data['users']:,} users · {data['proposals']:,} proposals · {data['supports']:,} supports "
            f"· {data['comments']:,} comments (generated in {data.get('generation_seconds', '–')} s)"
        )
    for index, connections in enumerate(report["wrk"]["connections"]):
        print(f"\n{connections} connection{'s' if connections > 1 else ''}")
        print(
            f"{'page':41} {'queries':>7} {'SQL ms':>7} {'app ms':>7} "
            f"{'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'× bare':>7}"
        )
        for page in report["pages"]:
            run = page["runs"][index]
            print(
                f"{page['page']:41} {page['queries']:>7} {page['sql_ms']:>7} "
                f"{page['test_client_ms']:>7} {run['requests_per_s']:>8.1f} "
                f"{run['p50_ms']:>8.1f} {run['p95_ms']:>8.1f} {run['p99_ms']:>8.1f} "
                f"{run['bare_ratio'] or '':>7}"
            )
    if report.get("pairs"):
        _print_turns(
            "a signed-in page and the visitor's page beside it", "visitor", report["pairs"]
        )
    if report.get("beside_scale"):
        other = report["beside_scale"]["data"]
        _print_turns(
            f"each page here and at the other scale ({report['beside_scale'].get('database', '')}: "
            f"{other.get('users', 0):,} users, {other.get('proposals', 0):,} proposals)",
            "there",
            report["beside_scale"]["pairs"],
        )


def _print_turns(title: str, beside: str, pairs: list[dict]) -> None:
    print(f"\nIn turns, a second each: {title}")
    print(f"{'page':41} {'conn.':>5} {'turns':>5} {'req/s':>8} {beside:>8} {'× time':>7}")
    for pair in pairs:
        print(
            f"{pair['page']:41} {pair['connections']:>5} {pair['turns']:>5} "
            f"{pair['requests_per_s']:>8.1f} {pair['beside_requests_per_s']:>8.1f} "
            f"{pair['ratio'] or '':>7}"
        )


def markdown(report: dict) -> str:
    """The README's table: per connection count, req/s, p50 / p95 / p99 and × the bare route."""
    counts = report["wrk"]["connections"]
    head = ["page", "queries", "SQL / all ms, one request"]
    for n in counts:
        head += [f"{n} conn.: req/s", "p50 / p95 / p99 ms", "× bare"]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for page in report["pages"]:
        cells = [
            page["page"],
            str(page["queries"]),
            f"{page['sql_ms']:g} / {page['test_client_ms']:g}",
        ]
        for run in page["runs"]:
            cells += [
                _rate(run["requests_per_s"]),
                f"{run['p50_ms']:g} / {run['p95_ms']:g} / {run['p99_ms']:g}",
                f"{run['bare_ratio']:g}" if run["bare_ratio"] else "",
            ]
        lines.append("| " + " | ".join(cells) + " |")
    if report.get("pairs"):
        lines += [
            "",
            "| signed-in page, in turns with the visitor's | connections | turns "
            "| req/s | the visitor's req/s | × the visitor's time |",
            "|" + " --- |" * 6,
        ]
        for pair in report["pairs"]:
            cells = [
                pair["page"],
                str(pair["connections"]),
                str(pair["turns"]),
                _rate(pair["requests_per_s"]),
                _rate(pair["beside_requests_per_s"]),
                f"{pair['ratio']:g}" if pair["ratio"] else "",
            ]
            lines.append("| " + " | ".join(cells) + " |")
    if report.get("beside_scale"):
        counts = report["wrk"]["connections"]
        by_page: dict[str, dict[int, dict]] = {}
        for pair in report["beside_scale"]["pairs"]:
            by_page.setdefault(pair["page"], {})[pair["connections"]] = pair
        head = ["page, in turns with the other scale"]
        for n in counts:
            head += [f"{n} conn.: req/s here / there", "× its time"]
        lines += ["", "| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
        for page, runs in by_page.items():
            cells = [page]
            for n in counts:
                pair = runs.get(n)
                cells += (
                    [
                        f"{_rate(pair['requests_per_s'])} / {_rate(pair['beside_requests_per_s'])}",
                        f"{pair['ratio']:g}" if pair["ratio"] else "",
                    ]
                    if pair
                    else ["", ""]
                )
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def compare(small: dict, large: dict) -> str:
    """How many times slower each page is at the larger scale: one request through the test
    client, p50 and p95 at the smallest connection count, requests/s at each count."""
    counts = [n for n in small["wrk"]["connections"] if n in large["wrk"]["connections"]]
    first = counts[0]
    head = [
        "page",
        "one request ×",
        f"p50 × ({first} conn.)",
        f"p95 × ({first} conn.)",
        f"req/s ÷ ({' / '.join(str(n) for n in counts)} conn.)",
    ]
    lines = [
        f"scale {small['scale']:g} → {large['scale']:g}",
        "",
        "| " + " | ".join(head) + " |",
        "|" + " --- |" * len(head),
    ]
    before = {page["page"]: page for page in small["pages"]}
    for page in large["pages"]:
        old_page = before.get(page["page"])
        if old_page is None:
            continue
        old_runs = {run["connections"]: run for run in old_page["runs"]}
        new_runs = {run["connections"]: run for run in page["runs"]}
        old, new = old_runs[first], new_runs[first]
        rates = [
            _ratio(old_runs[n]["requests_per_s"], new_runs[n]["requests_per_s"]) for n in counts
        ]
        cells = [
            page["page"],
            _ratio(page["test_client_ms"], old_page["test_client_ms"]),
            _ratio(new["p50_ms"], old["p50_ms"]),
            _ratio(new["p95_ms"], old["p95_ms"]),
            " / ".join(rates),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _rate(requests_per_s: float) -> str:
    return f"{requests_per_s:,.0f}" if requests_per_s >= 10 else f"{requests_per_s:.1f}"


def _ratio(numerator: float, denominator: float) -> str:
    return f"{numerator / denominator:.2f}" if denominator else ""


def database_description(db) -> dict:
    name = db.engine.dialect.name
    if name == "postgresql":
        version = db.session.scalar(text("SHOW server_version"))
    else:
        version = db.session.scalar(text("SELECT sqlite_version()"))
    return {"name": name, "version": version}


def main(argv: list[str]) -> int:
    if argv[:1] == ["markdown"] and len(argv) == 2:
        print(markdown(json.loads(Path(argv[1]).read_text())))
        return 0
    if argv[:1] == ["compare"] and len(argv) == 3:
        small, large = (json.loads(Path(path).read_text()) for path in argv[1:])
        print(compare(small, large))
        return 0
    if argv:
        print(sys.modules[__package__].__doc__)
        return 2

    from ..extensions import db

    started = time.monotonic()
    # Stopped from outside: leave through the ``finally`` blocks, which stop gunicorn and wrk.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    def progress(message: str) -> None:
        print(f"[{time.monotonic() - started:6.1f} s] {message}", flush=True)

    settings = Settings.from_environment()
    app = create_bench_app(
        {
            "SQLALCHEMY_DATABASE_URI": settings.database_url,
            "RATELIMIT_ENABLED": False,
            "SERVER_NAME": None,
        }
    )
    with app.app_context():
        verb = "Generating" if settings.generate else "Reusing"
        progress(f"{verb} data at scale {settings.scale} on {settings.database}…")
        data = prepare(app, db, settings)
        database = database_description(db)
        data.update(inventory(db))
        pages_ = pages(db)
        if settings.nginx is None:
            progress("nginx is missing: the pages asked through it are left out")
            pages_ = [page for page in pages_ if not page.through_nginx]
        if settings.only:
            # The bare route stays: every page's figures are read beside it.
            pages_ = [
                page
                for page in pages_
                if page.url == BARE_PATH or any(part in page.name for part in settings.only)
            ]
        people = person_sessions(db)
        db.session.remove()
    beside = None
    if settings.beside_url:
        progress("Reading the pages of the database at the other scale…")
        beside = beside_scale(settings.beside_url)
    data.update({f"{person}_id": user_id for person, (user_id, _s) in people.items()})
    sessions = {person: session for person, (_id, session) in people.items()}
    progress("Counting each page's queries through the test client…")
    queries = count_queries(app, db, pages_, sessions)
    with app.app_context():
        db.engine.dispose()
    broken = {name: q["status"] for name, q in queries.items() if q["status"] != 200}
    if broken:
        print(f"Pages that do not answer 200: {broken}", file=sys.stderr)
        return 1
    progress(
        f"Serving with gunicorn ({settings.server.workers} sync workers), driving it with wrk…"
    )
    loads_before = [round(n, 2) for n in os.getloadavg()]
    try:
        loads, pairs, scales = measure(settings, pages_, sessions, beside)
    except PageFailed as error:
        print(error, file=sys.stderr)
        return 1
    progress("Done.")
    report = assemble(
        settings, data, database, pages_, queries, loads, loads_before, pairs, scales, beside
    )
    print_table(report)
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{settings.database}-{settings.scale:g}.json"
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"\nwritten to {path.relative_to(ROOT)}")
    problems = failures(report)
    for problem in problems:
        print(f"FAILED: {problem}", file=sys.stderr)
    return 1 if problems else 0
