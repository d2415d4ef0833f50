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
by every one. A count that has not ended after ``TURN_SECONDS`` (its process died) leaves its
turn to the next request.

The turn is the cache's ``add`` (Redis's SETNX), which only one process wins.
"""

import functools
import time
from collections.abc import Callable
from typing import Any

from flask import current_app

from .extensions import cache

# How long a count may take before another process takes the turn.
TURN_SECONDS = 30
# How often a request that waits for the first count looks again.
WAIT_STEP = 0.05

# Seconds since the epoch: the same clock in every process. Tests move it.
now: Callable[[], float] = time.time


def kept(function: Callable[..., Any]) -> Callable[..., Any]:
    """``function(*args)``, kept in the figures' cache under its name and arguments (which
    must be plain values: their ``repr`` names them)."""
    name = f"{function.__module__}.{function.__qualname__}"

    @functools.wraps(function)
    def wrapper(*args):
        key = f"{name}{args!r}"
        entry = cache.get(key)
        if entry is not None and entry[0] > now():
            return entry[1]
        holding = _take_turn(key)
        if not holding:
            if entry is not None:
                return entry[1]  # stale: another process is counting
            entry = _wait_for(key)
            if entry is not None:
                return entry[1]
            holding = _take_turn(key)  # that process gave up: count here
        try:
            value = function(*args)
            fresh_for = current_app.config["CACHE_DEFAULT_TIMEOUT"]
            # Kept twice as long as it is fresh, to be given while it is counted again.
            cache.set(key, (now() + fresh_for, value), timeout=2 * fresh_for)
        finally:
            if holding:
                cache.delete(_turn(key))
        return value

    return wrapper


def _turn(key: str) -> str:
    return f"{key}:turn"


def _take_turn(key: str) -> bool:
    """Whether this process counts ``key`` now: no other holds the turn, or the one that did
    has overrun ``TURN_SECONDS`` (the cache may have kept its turn past its expiry)."""
    turn = _turn(key)
    if cache.add(turn, now() + TURN_SECONDS, timeout=TURN_SECONDS):
        return True
    until = cache.get(turn)
    if until is not None and until < now():
        cache.delete(turn)
        return cache.add(turn, now() + TURN_SECONDS, timeout=TURN_SECONDS)
    return False


def _wait_for(key: str) -> tuple[float, Any] | None:
    """What another process is counting for ``key``, once it is kept; None if that process
    gives up its turn without (its count failed) or overruns ``TURN_SECONDS``."""
    give_up = time.monotonic() + TURN_SECONDS
    while time.monotonic() < give_up:
        time.sleep(WAIT_STEP)
        entry = cache.get(key)
        if entry is not None:
            return entry
        if cache.get(_turn(key)) is None:
            return None
    return None
