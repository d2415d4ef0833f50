"""Rendered parts of pages, kept in each process under a key made of everything they show.

A page of fifty comments is the same HTML for every reader who may do the same things with
them, until one of them changes: rendering it cost a third of a proposal's page. A list's cards
are the same for every reader who supports the same ones among them; the main menu for every
reader offered the same pages, and the footer for everyone. The caller gives the fragment's
key, a tuple of every value the fragment shows or depends on (the rows' contents, the reader's
verdicts, the language…), and the macro that renders it, with its arguments. Nothing is ever
invalidated: a change makes a new key. A fragment is kept an hour at most; when the cache is
full, the oldest go first.

A fragment that holds a form is never kept (its CSRF token is the reader's): its key is None.
Kept by Flask-Caching's in-process cache, one per application (``FRAGMENT_CACHE_SIZE``
fragments; 0 turns it off). It lives as long as the process: a deployment starts afresh.
"""

import hashlib
from collections.abc import Callable

from flask import Flask, request
from flask_babel import get_locale, get_timezone
from flask_caching import Cache
from markupsafe import Markup

fragments = Cache()


def init_app(app: Flask) -> None:
    size = app.config["FRAGMENT_CACHE_SIZE"]
    fragments.init_app(
        app,
        config={
            "CACHE_TYPE": "SimpleCache" if size else "NullCache",
            "CACHE_THRESHOLD": size,
            # With no timeout, a full cache would drop every fragment at once (cachelib).
            "CACHE_DEFAULT_TIMEOUT": 3600,
            "CACHE_NO_NULL_WARNING": True,
        },
    )


def fragment(key: tuple | None, render: Callable[..., str], *args) -> Markup:
    """``render(*args)``, or what it gave last time for the same ``key``, which names every
    value of ``args`` it depends on (with a size of 0 the cache keeps nothing: Flask-Caching's
    NullCache)."""
    if key is None:
        return Markup(render(*args))
    name = stored_name(key)
    html = fragments.get(name)
    if html is None:
        html = str(render(*args))
        fragments.set(name, html)
    return Markup(html)


def stored_name(key: tuple) -> str:
    """The cache's name for ``key`` with what every fragment depends on besides it: the
    language, the time zone dates are shown in, and where the site is mounted (its links)."""
    whole = (key, str(get_locale()), str(get_timezone()), request.script_root)
    return "fragment:" + hashlib.blake2b(repr(whole).encode(), digest_size=20).hexdigest()
