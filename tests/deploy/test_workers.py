"""gunicorn's workers are forked from the master that loaded the app (``gunicorn.conf.py``): each
must open its own database connections, and leave the master's open."""

import gc
import os

import pytest
from sqlalchemy import text

from participation.database import forget_inherited_connections
from participation.extensions import db


@pytest.fixture
def pg_app(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("a connection's server process is PostgreSQL's (TEST_DATABASE_URL)")
    db.session.remove()
    return app


def _backend(app) -> int:
    """The PostgreSQL process serving a connection taken from the app's pool."""
    with app.app_context(), db.engine.connect() as connection:
        return connection.execute(text("SELECT pg_backend_pid()")).scalar_one()


def _in_a_forked_worker(app, forget: bool) -> int:
    """What ``_backend`` answers in a child process, forked as gunicorn forks a worker."""
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # the worker: it answers through the pipe, and leaves without cleaning up
        status = 1
        try:
            os.close(read)
            if forget:
                forget_inherited_connections(app)
                # A worker lives on: what it dropped is collected, and must not close anything.
                gc.collect()
            os.write(write, str(_backend(app)).encode())
            status = 0
        finally:
            os._exit(status)
    os.close(write)
    with os.fdopen(read) as answer:
        found = answer.read()
    _pid, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    return int(found)


def test_a_forked_worker_opens_its_own_connection_and_leaves_the_masters_open(pg_app):
    app = pg_app
    master = _backend(app)  # the connection goes back to the pool, as in a master that read
    worker = _in_a_forked_worker(app, forget=True)
    assert worker != master
    # The master's connection was left open by the worker: it still answers, the same one.
    assert _backend(app) == master


def test_without_forgetting_them_the_worker_would_share_the_masters_connection(pg_app):
    # What the hook prevents: two processes sending their queries down one connection.
    app = pg_app
    master = _backend(app)
    assert _in_a_forked_worker(app, forget=False) == master
