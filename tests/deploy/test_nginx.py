"""The nginx example of ``deploy/``, for real: Debian's nginx accepts it, and in front of gunicorn
it does what the README says of it. Visitors' pages are served again from its cache; anyone
with a cookie, and every answer marked ``no-store``, goes to the app; static files are nginx's
own; the request id and the visitor's address are nginx's, not what a client sent.

The example is adapted only where a machine differs (``participation.bench.proxy``, which the
benchmark uses too). Without nginx the tests skip, and fail in CI, which installs it
(``.ci/run``)."""

import os
import re
import subprocess
import sys
import time

import pytest
import requests

from participation import ROOT
from participation.bench.proxy import HOST, Nginx, nginx_path

from .conftest import free_port, needs_postgresql, production_environment, wait_healthy

GUNICORN = [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"]


@pytest.fixture
def nginx() -> str:
    found = nginx_path()
    if found is None:
        if os.environ.get("CI") or os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail("nginx is missing (CI installs Debian's nginx)", pytrace=False)
        pytest.skip("nginx is not installed")
    return found


def test_nginx_accepts_the_example(nginx, tmp_path):
    configuration = Nginx(tmp_path, free_port(), free_port(), free_port()).write()
    checked = subprocess.run(
        [nginx, "-t", "-c", str(configuration), "-p", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr


class Through:
    """Requests to nginx, as a browser would send them to the public address."""

    def __init__(self, https_port: int, http_port: int):
        self.https = f"https://127.0.0.1:{https_port}"
        self.http = f"http://127.0.0.1:{http_port}"

    def get(self, path: str, secure: bool = True, **options) -> requests.Response:
        headers = {"Host": HOST, "Accept-Language": "fr", **options.pop("headers", {})}
        base = self.https if secure else self.http
        # The certificate is the test's own.
        return requests.get(
            base + path,
            headers=headers,
            verify=False,
            allow_redirects=False,
            timeout=30,
            **options,
        )


@needs_postgresql
@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_nginx_in_front_of_gunicorn_caches_only_what_the_app_allows(
    nginx, app, database_url, processes, tmp_path
):
    app_port, http_port, https_port = free_port(), free_port(), free_port()
    environment = production_environment(
        database_url,
        app_port,
        tmp_path / "outbox",
        PORT=str(app_port),
        PUBLIC_URL=f"https://{HOST}",
        TRUSTED_HOSTS=f"{HOST},127.0.0.1",
        TRUSTED_PROXIES="1",
    )
    server = processes.start("web", GUNICORN + ["participation:create_app()"], environment)
    wait_healthy(f"http://127.0.0.1:{app_port}", server, processes)
    proxy = Nginx(tmp_path / "nginx", app_port, http_port, https_port)
    proxy.write()
    nginx_process = processes.start("nginx", proxy.command(nginx), {})
    through = Through(https_port, http_port)
    deadline = time.monotonic() + 20
    while True:
        assert nginx_process.poll() is None, proxy.error_log()
        try:
            first = through.get("/")
            break
        except requests.ConnectionError:
            assert time.monotonic() < deadline, "nginx does not answer"
            time.sleep(0.2)

    # Plain HTTP is sent to HTTPS, at the same address.
    plain = through.get("/rounds/?page=2", secure=False)
    assert plain.status_code == 301
    assert plain.headers["Location"] == f"https://{HOST}/rounds/?page=2"

    # A visitor's page: from the app, then from nginx's cache, the same page.
    assert first.status_code == 200, first.text[:2000]
    assert first.headers["X-Cache-Status"] == "MISS"
    assert "s-maxage=" in first.headers["Cache-Control"]
    again = through.get("/")
    assert again.headers["X-Cache-Status"] == "HIT"
    assert again.text == first.text and again.headers["ETag"] == first.headers["ETag"]
    # In the other language, a page of its own.
    english = [through.get("/", headers={"Accept-Language": "en"}) for _ in range(2)]
    assert [page.headers["X-Cache-Status"] for page in english] == ["MISS", "HIT"]
    assert english[1].text == english[0].text != first.text
    assert through.get("/").text == first.text

    # Anyone with a cookie goes to the app, and what the app answers them is not kept.
    with_cookie = through.get("/", headers={"Cookie": "session=someone"})
    assert with_cookie.headers["X-Cache-Status"] == "BYPASS"
    # The sign-in page gives its visitor a session (its form's token): never from the cache.
    sign_in = [through.get("/sign-in") for _ in range(2)]
    assert all(page.status_code == 200 for page in sign_in)
    assert all(page.headers["Cache-Control"] == "no-store" for page in sign_in)
    assert [page.headers["X-Cache-Status"] for page in sign_in] == ["MISS", "MISS"]
    assert "Set-Cookie" in sign_in[1].headers

    # The request id is nginx's, sent to the app and back; the address the app sees is the one
    # nginx saw, not what a client claims.
    traced = through.get("/deliberations/", headers={"X-Forwarded-For": "203.0.113.9"})
    request_id = traced.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    lines = [line for line in processes.log(server).splitlines() if request_id in line]
    assert lines and '"remote_addr": "127.0.0.1"' in lines[0]
    assert "203.0.113.9" not in processes.log(server)

    # Static files are nginx's own, kept a week by browsers.
    style = next(ROOT.joinpath("static").rglob("*.css")).relative_to(ROOT)
    static = through.get(f"/{style}")
    assert static.status_code == 200 and static.headers["Content-Type"].startswith("text/css")
    assert "public" in static.headers["Cache-Control"] and "Expires" in static.headers
    assert f"/{style}" not in processes.log(server)

    # Beyond the app's own limit of 2 MB, nginx refuses the body before the app reads it.
    large = requests.post(
        through.https + "/sign-in",
        headers={"Host": HOST},
        data=b"x" * (3 * 1024 * 1024),
        verify=False,
        timeout=30,
    )
    assert large.status_code == 413
