"""The costly figures (a round's contributors and weekly activity, the home page's key figures)
are computed once, then read from the cache until it expires: in Redis (the machine's own, as in
production) and in the process (development without Redis). Counts that are not costly stay live.
"""

import re
import threading
import uuid
from contextlib import contextmanager

import pytest
import redis
from sqlalchemy import event

from participation import figures
from participation.extensions import cache, db
from tests.conftest import QueryCounter
from tests.deploy.conftest import REDIS_URL as DEPLOY_REDIS_URL
from tests.deploy.conftest import _redis_available

# The same server as the deployment tests, another database: they empty theirs.
REDIS_URL = DEPLOY_REDIS_URL.rsplit("/", 1)[0] + "/11"

STORES = [
    pytest.param(
        {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": REDIS_URL},
        id="redis",
        marks=pytest.mark.skipif(not _redis_available(), reason=f"no Redis at {REDIS_URL}"),
    ),
    pytest.param({"CACHE_TYPE": "SimpleCache"}, id="process"),
]


@pytest.fixture(params=STORES)
def cached_app(request, app_factory):
    prefix = f"test-figures-{uuid.uuid4().hex}:"
    app = app_factory(CACHE_KEY_PREFIX=prefix, CACHE_DEFAULT_TIMEOUT=300, **request.param)
    yield app
    forget(app)
    if request.param["CACHE_TYPE"] == "RedisCache":
        assert not redis.Redis.from_url(REDIS_URL).keys(f"{prefix}*")


def forget(app) -> None:
    """Empty ``app``'s cache, as when its timeout has passed."""
    with app.app_context():
        cache.clear()


@contextmanager
def queries_of(app):
    """The SQL statements ``app`` runs meanwhile (its own engine: not the default test app's)."""
    counter = QueryCounter()
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", counter)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", counter)


def contributors(html: str) -> int:
    return int(re.search(r'id="stat-contributors">(\d+)<', html).group(1))


def test_a_rounds_contributors_are_counted_once_then_read_from_the_cache(
    cached_app, create_round, create_proposal, create_user
):
    from participation.proposals import supports

    round_ = create_round()
    proposal = create_proposal(round=round_)
    client = cached_app.test_client()
    url = f"/rounds/{round_.slug}/statistics"

    with queries_of(cached_app) as first:
        html = client.get(url, headers={"Accept-Language": "en"}).text
    assert contributors(html) == 1  # the author
    assert "figures are counted again every 5 minutes" in html

    supports.support(proposal, create_user())
    db.session.commit()
    with queries_of(cached_app) as second:
        html = client.get(url).text
    # Kept: the new supporter is not counted yet, and the costly queries were not run again.
    assert contributors(html) == 1
    assert second.count < first.count
    assert not [s for s in second.statements if "supports" in s.lower() and "union" in s.lower()]
    # What is not costly stays live: the proposal counts on the same page.
    assert "participation sont recomptés toutes les 5 minutes" in client.get(url).text

    forget(cached_app)
    assert contributors(client.get(url).text) == 2


def test_the_home_pages_key_figures_are_kept_too(cached_app, create_proposal):
    client = cached_app.test_client()
    create_proposal(title="Une première idée")
    first = client.get("/").text
    create_proposal(title="Une seconde idée")
    with queries_of(cached_app) as again:
        second = client.get("/").text
    figure = re.compile(r'key-figures__value">(\d+)</span> propositions? publiées?')
    assert figure.search(first).group(1) == figure.search(second).group(1) == "1"
    assert not [s for s in again.statements if "sum(" in s.lower()]
    forget(cached_app)
    assert figure.search(client.get("/").text).group(1) == "2"


def test_without_a_cache_the_figures_are_live(client, create_round, create_proposal):
    # The tests' own setting (NullCache): each request counts again.
    round_ = create_round()
    create_proposal(round=round_)
    url = f"/rounds/{round_.slug}/statistics"
    assert contributors(client.get(url).text) == 1
    create_proposal(round=round_)
    assert contributors(client.get(url).text) == 2
    assert "counted again" not in client.get(url, headers={"Accept-Language": "en"}).text


# --- One count at a time (participation.figures) ------------------------------------------


class Counter:
    """A costly count that the test lets finish when it chooses."""

    def __init__(self):
        self.calls = 0
        self.value = "first"
        self.started = threading.Event()
        self.release = threading.Event()
        self.release.set()

    def count(self, round_id):
        self.calls += 1
        self.started.set()
        assert self.release.wait(10)
        return f"{self.value} of {round_id}"


@pytest.fixture
def counted(cached_app, monkeypatch):
    """A ``kept`` count, its counter, and a clock the test moves."""
    clock = [1_000_000.0]
    monkeypatch.setattr(figures, "now", lambda: clock[0])
    counter = Counter()
    count = figures.kept(counter.count)
    with cached_app.app_context():
        yield count, counter, clock


def in_thread(app, call):
    """``call()`` in another thread, as another worker would: its result in ``results``."""
    results = []

    def run():
        with app.app_context():
            results.append(call())

    thread = threading.Thread(target=run)
    thread.start()
    return thread, results


def test_kept_figures_are_counted_once_while_fresh_then_again(counted):
    count, counter, clock = counted
    assert count(7) == "first of 7"
    counter.value = "second"
    clock[0] += 299
    assert count(7) == "first of 7"
    assert counter.calls == 1
    assert count(8) == "second of 8"  # other arguments, other figures
    clock[0] += 2
    assert count(7) == "second of 7"
    assert counter.calls == 3


def test_while_one_process_counts_again_the_others_get_the_figures_it_replaces(cached_app, counted):
    count, counter, clock = counted
    assert count(7) == "first of 7"
    clock[0] += 301
    counter.value, counter.started, counter.release = "second", threading.Event(), threading.Event()
    thread, results = in_thread(cached_app, lambda: count(7))
    assert counter.started.wait(10)
    # Asked during the count: the stale figures, at once, and no second count.
    assert count(7) == "first of 7"
    assert counter.calls == 2
    counter.release.set()
    thread.join(10)
    assert results == ["second of 7"]
    assert count(7) == "second of 7"
    assert counter.calls == 2


def test_figures_nobody_has_counted_yet_are_waited_for_not_counted_twice(cached_app, counted):
    count, counter, _ = counted
    counter.release.clear()
    thread, results = in_thread(cached_app, lambda: count(7))
    assert counter.started.wait(10)
    waiting, waited = in_thread(cached_app, lambda: count(7))
    waiting.join(0.3)
    assert waiting.is_alive() and not waited  # waits for the count
    counter.release.set()
    thread.join(10)
    waiting.join(10)
    assert results == waited == ["first of 7"]
    assert counter.calls == 1


def test_a_turn_whose_count_never_ended_is_taken_over(cached_app, counted, monkeypatch):
    count, counter, clock = counted
    monkeypatch.setattr(figures, "_wait_for", lambda key: pytest.fail("waited for a dead turn"))
    # A process took its turn and died; the cache kept the turn past its time.
    key = f"{__name__}.Counter.count(7,)"
    cache.set(figures._turn(key), (clock[0] - 1, "a dead process's"), timeout=300)
    assert count(7) == "first of 7"
    assert counter.calls == 1


def test_a_count_that_fails_gives_its_turn_back(counted, monkeypatch):
    count, counter, _ = counted
    counter.release = None  # the count raises
    with pytest.raises(AttributeError):
        count(7)
    assert cache.get(figures._turn(f"{__name__}.Counter.count(7,)")) is None
    monkeypatch.setattr(figures, "_wait_for", lambda key: pytest.fail("waited for no one"))
    counter.release = threading.Event()
    counter.release.set()
    assert count(7) == "first of 7"


def test_without_a_cache_kept_figures_are_counted_every_time(app, monkeypatch):
    counter = Counter()
    count = figures.kept(counter.count)
    assert count(7) == count(7) == "first of 7"
    assert counter.calls == 2


def test_when_the_cache_fails_the_figures_are_counted_without_it(app_factory):
    # A Redis that does not answer (nothing listens on port 1): the page is served anyway.
    down = app_factory(CACHE_TYPE="RedisCache", CACHE_REDIS_URL="redis://127.0.0.1:1/0")
    counter = Counter()
    count = figures.kept(counter.count)
    with down.app_context():
        assert count(7) == count(7) == "first of 7"
    assert counter.calls == 2
