"""Gunicorn's settings for production (``make serve``, ``deploy/participation-web.service``).

Everything can be changed from the environment: ``PORT`` or ``GUNICORN_BIND``,
``WEB_CONCURRENCY`` (worker processes), ``GUNICORN_THREADS``. On SIGTERM gunicorn stops taking
connections and lets the requests in hand finish for up to ``graceful_timeout`` seconds.

The app is loaded once, by the master, and the workers are forked from it (``preload_app``):
they share its memory, and a worker replaced after ``max_requests`` answers at once instead of
loading the app again (a second of CPU, and its first pages slower). The code is read when
gunicorn starts: after an upgrade, restart it (a HUP reloads this file and the workers, not the
code).
"""

import gc
import os

bind = os.environ.get("GUNICORN_BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# A request that takes longer than this is a bug: the worker is replaced.
timeout = 30
graceful_timeout = 30
keepalive = 5
# Workers are replaced now and then, a little apart, so that nothing grows without bound.
max_requests = 5000
max_requests_jitter = 500
preload_app = True
# The app logs one JSON line per request, with its id (participation/logs.py): no second one.
accesslog = None
errorlog = "-"
# The proxy's X-Forwarded-* headers are read by the app itself (TRUSTED_PROXIES).
forwarded_allow_ips = "127.0.0.1"
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "participation.logs.JsonFormatter"}},
    "filters": {"request_id": {"()": "participation.logs.RequestIdFilter"}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["request_id"],
            "stream": "ext://sys.stderr",
        }
    },
    # Every logger (the app's too) writes JSON lines to stderr, with the request id if any.
    "root": {"handlers": ["stderr"], "level": "INFO"},
    "loggers": {
        "gunicorn.error": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
    },
}


def when_ready(server):
    # The templates too are compiled once, for every worker.
    from participation.templating import compile_templates

    compile_templates(server.app.wsgi())


def pre_fork(server, worker):
    # What the master holds (the loaded app) stays out of the workers' garbage collections: a
    # full collection went through all of it (80 ms, a request's delay, on a 2-core machine),
    # and would write to memory the workers share with the master.
    gc.collect()
    gc.freeze()


def post_fork(server, worker):
    from participation.database import forget_inherited_connections

    forget_inherited_connections(server.app.wsgi())
