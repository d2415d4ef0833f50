"""Costly figures, kept between requests and counted again by one process at a time.

A round's contributors read every support of the round: two seconds at Madrid's scale. Such a
function is decorated with ``@kept``: what it returns is kept in the figures' cache
(Flask-Caching: in Redis when ``REDIS_URL`` is set, shared by every app server; else in each
process) and is fresh for ``CACHE_DEFAULT_TIMEOUT`` seconds (``FIGURES_CACHE_SECONDS``).

When figures are no longer fresh, the first request that asks takes its turn to count them
again, and every request that asks meanwhile is given the figures being replaced, at once. With
Flask-Caching's own memoize, every worker that asked before the first count ended counted too:
at 8 connections in the benchmark, four counts of two seconds at once, every five minutes.

Figures that nobody has counted yet (or that nobody asked for during another
``CACHE_DEFAULT_TIMEOUT``) are waited for, while one process counts them, rather than counted
by every one, for ``WAIT_SECONDS`` at most. A count that has not ended after ``TURN_SECONDS``
(its process died) leaves its turn to the next request. A turn is given back only by the
process that holds it. With ``FIGURES_CACHE_SECONDS=0``, figures are never fresh: each request
counts them again unless another is counting, and then gets the last ones.

The turn is the cache's ``add`` (Redis's SETNX), which only one process wins.
"""

import functools
import logging
import secrets
import time
from collections.abc import Callable
from typing import Any

from flask import current_app

from .extensions import cache

logger = logging.getLogger(__name__)

# How long a count may take before another process takes the turn.
TURN_SECONDS = 20
# How long a request waits for figures another process is counting for the first time, before
# counting them itself: well within gunicorn's worker timeout (30 s, ``gunicorn.conf.py``).
WAIT_SECONDS = 5
# How often a request that waits looks again.
WAIT_STEP = 0.05

# Seconds since the epoch: the same clock in every process. Tests move it.
now: Callable[[], float] = time.time


def kept(function: Callable[..., Any]) -> Callable[..., Any]:
    """``function(*args)``, kept in the figures' cache under its name and arguments (which
    must be plain values: their ``repr`` names them). When the cache fails (Redis down), the
    figures are counted as if nothing were kept, as Flask-Caching's memoize did."""
    name = f"{function.__module__}.{function.__qualname__}"

    @functools.wraps(function)
    def wrapper(*args):
        key = f"{name}{args!r}"
        try:
            entry, token = _kept_or_turn(key)
        except Exception:
            logger.exception("the figures' cache failed: counted without it")
            return function(*args)
        if entry is not None:
            return entry[1]
        try:
            value = function(*args)
            fresh_for = current_app.config["CACHE_DEFAULT_TIMEOUT"]
            # Kept twice as long as it is fresh, to be given while it is counted again.
            _quietly(cache.set, key, (now() + fresh_for, value), timeout=2 * fresh_for)
        finally:
            if token is not None:
                _quietly(_give_back, key, token)
        return value

    return wrapper


def _kept_or_turn(key: str) -> tuple[tuple[float, Any] | None, str | None]:
    """(figures to give for ``key``, None) — fresh ones; stale ones while another process
    counts; what it counted, waited for — or (None, this process's turn to count them), or
    (None, None): count them without a turn (the other process took too long)."""
    entry = cache.get(key)
    if entry is not None and entry[0] > now():
        return entry, None
    token = _take_turn(key)
    if token is None:
        # Stale while another process counts them, or never counted: wait for its count.
        return (entry if entry is not None else _wait_for(key)), None
    # Another process may have kept them between the first look and the turn.
    counted = cache.get(key)
    if counted is not None and counted[0] > now():
        _give_back(key, token)
        return counted, None
    return None, token


def _turn(key: str) -> str:
    return f"{key}:turn"


def _take_turn(key: str) -> str | None:
    """A token if this process counts ``key`` now: no other holds the turn, or the one that did
    has overrun ``TURN_SECONDS`` (the cache may have kept its turn past its expiry)."""
    turn = _turn(key)
    token = secrets.token_hex(8)

    def claim() -> str | None:
        return (
            token if cache.add(turn, (now() + TURN_SECONDS, token), timeout=TURN_SECONDS) else None
        )

    if claimed := claim():
        return claimed
    held = cache.get(turn)
    if held is not None and held[0] < now():
        cache.delete(turn)
        return claim()
    return None


def _give_back(key: str, token: str) -> None:
    """The turn, if it is still this process's (another may have taken over an overrun)."""
    turn = _turn(key)
    held = cache.get(turn)
    if held is not None and held[1] == token:
        cache.delete(turn)


def _wait_for(key: str) -> tuple[float, Any] | None:
    """What another process is counting for ``key``, once it is kept; None if that process
    gives up its turn without (its count failed), or after ``WAIT_SECONDS``."""
    give_up = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < give_up:
        time.sleep(WAIT_STEP)
        entry = cache.get(key)
        if entry is not None:
            return entry
        if cache.get(_turn(key)) is None:
            return cache.get(key)  # kept just before the turn was given back, or None
    return None


def _quietly(call: Callable, *args, **kwargs) -> None:
    try:
        call(*args, **kwargs)
    except Exception:
        logger.exception("the figures' cache failed")
