"""Benchmark at Madrid's scale through a real server (not a test).

    make bench                            # a tenth of Madrid's scale, on SQLite
    BENCH_SCALE=1 make bench              # 500,000 users, 30,000 proposals, 1.7 million supports
    BENCH_DATABASE_URL=postgresql+psycopg://user@host/bench make bench

It builds a fresh schema with the migrations, fills it with generated data (``generate.py``),
counts the SQL queries of each page once through the test client, then serves the app with
gunicorn in its production configuration and drives each page with wrk at 1, 8 and 32
connections, next to a bare route served by the same gunicorn (``app.py``); two of the pages
are asked again through nginx in front, as ``deploy/`` sets it up (``proxy.py``). It prints the
figures, writes them to ``bench-results/<database>-<scale>.json`` and leaves the database in
place. Settings, all from the environment:

    BENCH_SCALE         fraction of Madrid's scale (0.1)
    BENCH_DATABASE_URL  database to fill (SQLite file instance/bench.sqlite3); it is wiped
    BENCH_GENERATE      0 to measure the data already there (after migrating it) (1)
    BENCH_WORKERS       gunicorn sync workers (2)
    BENCH_CONNECTIONS   wrk connection counts, comma-separated (1,8,32)
    BENCH_DURATION      seconds of wrk per page and connection count (10)
    BENCH_WARMUP        seconds of wrk per page before measuring it, not counted (1)
    BENCH_PORT          port gunicorn listens on, on 127.0.0.1 (8765); nginx takes the next two
    BENCH_PAGES         only the pages whose name holds one of these words, comma-separated
                        (all); the bare route is always measured
    BENCH_NGINX         0 to leave out the pages asked through nginx (1: asked when nginx is
                        installed; the deployment example in front of gunicorn, see proxy.py)
    BENCH_BESIDE_DATABASE_URL
                        a database filled by an earlier run at another scale, left in place:
                        a second gunicorn serves it (on BENCH_PORT + 3) and each page is driven
                        in turns, a second each, on both servers; its ratio is how many times
                        the other scale's time the page takes here (not compared when unset)

    python -m participation.bench markdown bench-results/postgresql-1.json
    python -m participation.bench compare bench-results/postgresql-0.01.json bench-results/postgresql-1.json
"""
