"""The application the benchmark serves: the real one, plus a bare route to compare pages with.

The bare route goes through everything every request goes through (the WSGI server, the app's
hooks, the security headers) and nothing else: no template, no query. A page's figures divided by
its figures tell what the page itself costs. It exists only in this factory, never in the app.
"""

from flask import Flask

from .. import create_app

BARE_PATH = "/bench/bare"


def create_bench_app(config: dict | None = None) -> Flask:
    app = create_app(config)

    @app.get(BARE_PATH)
    def bench_bare():
        return "ok"

    return app
