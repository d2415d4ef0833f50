"""Engine settings that depend on the database in use, and how a request's transaction ends."""

import logging

from flask import Flask
from sqlalchemy import BindParameter, ColumnElement, Integer, bindparam, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

from .extensions import db

logger = logging.getLogger(__name__)


def written_in(column: ColumnElement, values) -> ColumnElement:
    """``column IN (values)`` with the values written into the statement, not sent as
    parameters: for a condition that a partial index's own implies. PostgreSQL plans a
    statement prepared five times without its parameters' values (a generic plan), and a
    partial index serves a plan only if the statement's text implies its condition: with the
    values sent apart, a search in a round's list read the 18,000 entries of the round in
    another index instead of its own index's 765."""
    values = bindparam(column.key, list(values), expanding=True, literal_execute=True, unique=True)
    return column.in_(values)


def written_number(name: str, value: int | None = None) -> BindParameter:
    """A whole number written into the statement at each execution (its value given then, under
    ``name``), not sent as a parameter: a page's limit and offset. PostgreSQL's generic plan for
    a prepared statement guesses an unknown limit at a tenth of the rows it might read; such a
    plan looked dearer than planning the statement at each execution, which PostgreSQL then
    did: a list's page of ids 1.0 ms of SQL, 0.4 when written (the API's list: 5.5 and 1.1)."""
    # Without a value here, one is required at each execution. SQLAlchemy's cache may give the
    # statement the compiled form of another of the same shape built with its value: then a
    # missing one is written NULL (no limit) on PostgreSQL. The callers that give their values
    # at execution give them every time (``pagination``).
    return bindparam(name, value, type_=Integer, literal_execute=True, required=value is None)


def _configure_sqlite(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers proceed while one writer writes; the busy timeout waits for the lock.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    # With WAL, NORMAL only risks the last commits on power loss, never corruption.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
    # The search index's triggers call it (``search/index.py``).
    from .search.index import register_sqlite_functions

    register_sqlite_functions(dbapi_connection)


def _configure_postgresql(dbapi_connection, _record) -> None:
    # No parallel workers for a request's statements: each reads a page's few rows, and starting
    # a worker took 4 ms. PostgreSQL weighs a prepared statement's generic plan without its
    # parameters' values: for the API's list of a round's proposals it estimated 9,751 rows,
    # chose a parallel plan, and ran it in 7 ms instead of 0.4.
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET max_parallel_workers_per_gather = 0")
    dbapi_connection.commit()


# --- a transaction that wrote nothing ends with COMMIT ------------------------------------------
#
# A session's transaction ends with ROLLBACK unless the code commits it, and on every ROLLBACK
# psycopg forgets the statements it had prepared on that connection (they might name what the
# rollback undid). A page only reads, so each request planned all its queries again: 2 to 7 ms
# for a proposal's page or the API at Madrid's scale, more than running them. Ended with COMMIT,
# which changes nothing when nothing was written, the connection keeps them from one request to
# the next, and PostgreSQL their plans.
#
# Whatever the request may have written stays under the old rule: a transaction that flushed
# or sent anything but a SELECT, or that holds a change not yet flushed, is rolled back, so that
# a request that fails half-way saves nothing.


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _context) -> None:
    session.info["wrote"] = True


@event.listens_for(Session, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    if not state.is_select:
        state.session.info["wrote"] = True


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction: SessionTransaction) -> None:
    # The transaction itself, not a savepoint within it: what was written before a savepoint,
    # or in one released since, is still the transaction's to commit or roll back.
    if transaction.parent is None:
        session.info.pop("wrote", None)


def only_read(session: Session) -> bool:
    """Whether ``session``'s transaction wrote nothing and holds nothing it would write."""
    return not (session.info.get("wrote") or session.new or session.dirty or session.deleted)


def _end_reads_with_commit(exc: BaseException | None) -> None:
    # Runs before Flask-SQLAlchemy's own teardown (registered later), which closes the session.
    if exc is not None or not db.session.registry.has():
        return
    session = db.session()
    if session.in_transaction() and only_read(session):
        # Nothing changed: the objects read stay as they are instead of being expired one by
        # one (a proposal's page holds a hundred), as the session is closed next.
        expire, session.expire_on_commit = session.expire_on_commit, False
        try:
            session.commit()
        except Exception:
            # Never raise from here: Flask would skip the teardowns after this one, and
            # Flask-SQLAlchemy's, which closes the session (rolling back what is left).
            logger.exception("ending a read-only transaction failed")
        finally:
            session.expire_on_commit = expire


def _begin_before_savepoint(connection, _name) -> None:
    """The sqlite3 module begins a transaction only before a write: a savepoint opened first
    became the transaction itself, and releasing it committed everything, even when the request
    failed afterwards. The transaction is begun first, as it would be before a write."""
    if not connection.connection.dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN")


def init_app(app: Flask) -> None:
    with app.app_context():
        engine: Engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _configure_sqlite)
            event.listen(engine, "savepoint", _begin_before_savepoint)
        elif engine.dialect.name == "postgresql":
            event.listen(engine, "connect", _configure_postgresql)
    app.teardown_appcontext(_end_reads_with_commit)


def forget_inherited_connections(app: Flask) -> None:
    """In a process forked from one that had used the database (gunicorn's workers are forked
    from the master that loaded the app): the connections in the pools are the parent's, and two
    processes on one connection mix their queries. They are dropped without being closed, which
    would close them for the parent too; the process opens its own."""
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)
