"""Valid HTML: the pages a visitor and an administrator reach, crawled over the 2018 history and
the sample content, pass the Nu HTML Checker (the W3C's, vnu.jar from npm, run on the machine's
Java), which reads what axe-core does not: nesting, duplicate ids, attributes a tag may not have.

``make test`` installs the checker (npm's vnu-jar, in the virtual env). Without Java or the
checker the test skips, and fails instead in CI (REQUIRE_BROWSER=1), as browser tests do.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.test_words_on_pages import crawl, site  # noqa: F401 (the crawled site's fixture)

ROOT = Path(__file__).resolve().parent.parent
VNU_JAR = Path(
    os.environ.get("VNU_JAR", ROOT / ".venv/vnu/node_modules/vnu-jar/build/dist/vnu.jar")
)


FORMS = (
    "/account",
    "/account/two-factor",
    "/rounds/bethune-a-2032/proposals/new",
    "/workshops/",
    "/admin/",
)


def _checker() -> list[str]:
    java = shutil.which("java")
    missing = None if java else "java not found"
    if java and not VNU_JAR.is_file():
        missing = f"{VNU_JAR} not found (make test installs it)"
    if missing:
        if os.environ.get("REQUIRE_BROWSER") == "1" or os.environ.get("CI"):
            pytest.fail(f"the Nu HTML Checker is required here: {missing}", pytrace=False)
        pytest.skip(missing)
    return [java, "-Xss8m", "-jar", str(VNU_JAR)]


def nu_errors(checker: list[str], pages: dict[str, str], folder: Path) -> dict[str, list[str]]:
    """The checker's errors, by page, in one run of it over all the pages."""
    files = {}
    for number, (url, html) in enumerate(sorted(pages.items())):
        path = folder / f"page-{number}.html"
        path.write_text(html, encoding="utf-8")
        files[path.name] = url
    run = subprocess.run(
        [
            *checker,
            "--format",
            "json",
            "--stdout",
            "--exit-zero-always",
            *map(str, folder.glob("*.html")),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    found: dict[str, list[str]] = {}
    for message in json.loads(run.stdout)["messages"]:
        if message["type"] == "error" or message.get("subType") == "fatal":
            url = files.get(message.get("url", "").rpartition("/")[2], message.get("url"))
            found.setdefault(url, []).append(
                f"line {message.get('lastLine')}: {message['message']}"
            )
    return found


def test_the_checker_finds_what_is_invalid(tmp_path):
    checker = _checker()
    broken = '<!doctype html><html lang="fr"><title>t</title><p id="a">a</p><p id="a"><div>b</div>'
    found = nu_errors(checker, {"/broken": broken}, tmp_path)
    assert list(found) == ["/broken"] and any("Duplicate ID" in m for m in found["/broken"])


def test_pages_are_valid_html(app, client, site, sign_in, tmp_path):  # noqa: F811
    checker = _checker()
    pages: dict[str, str] = {}
    crawl(client, "fr", pages=pages)
    visitor_pages = len(pages)
    sign_in(site)
    # Forms a link does not lead to from the home page are started from.
    crawl(client, "fr", start=("/", "/moderation/users?q=exemple", *FORMS), pages=pages)
    assert visitor_pages > 20 and len(pages) > visitor_pages + 20
    found = nu_errors(checker, pages, tmp_path)
    assert not found, "\n".join(f"{url}: {'; '.join(errors)}" for url, errors in found.items())
