"""Small request helpers shared by the blueprints."""

from urllib.parse import urlsplit

from flask import request


def safe_next_url(target: str | None) -> str | None:
    """Return ``target`` only when it is a path on this site (no open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


def from_script() -> bool:
    """Whether a page's script sent this request in the background (``fetch``), rather than the
    person opening a page or sending a form. Browsers say so in ``Sec-Fetch-Mode``; our scripts
    also say it themselves, for browsers that do not."""
    mode = request.headers.get("Sec-Fetch-Mode")
    return request.headers.get("X-Requested-With") == "fetch" or mode in ("cors", "same-origin")


def current_path() -> str:
    query = request.query_string.decode("utf-8", "replace")
    return request.path + (f"?{query}" if query else "")
