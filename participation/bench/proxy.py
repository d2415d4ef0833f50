"""nginx in front of gunicorn, as ``deploy/nginx-participation.conf`` sets it up: for the
benchmark's repeat views of a visitor's page, and for the tests of the example itself.

The example is adapted only where a machine differs from the city's server: the ports, the
cache's and the static files' folders, and a certificate made for the run. Its main file holds
what a distribution's ``nginx.conf`` would."""

import os
import re
import shutil
import subprocess
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .. import ROOT
from .load import USER_AGENT, opener, stop, wait_until_answered

EXAMPLE = ROOT / "deploy" / "nginx-participation.conf"
HOST = "participation.bethune.fr"


def nginx_path() -> str | None:
    """Debian's nginx, whether or not /usr/sbin is on the PATH; None without it."""
    found = shutil.which("nginx")
    if found is None and os.access("/usr/sbin/nginx", os.X_OK):
        found = "/usr/sbin/nginx"
    return found


def nginx_version(nginx: str) -> str:
    result = subprocess.run([nginx, "-v"], capture_output=True, text=True)
    return (result.stderr or result.stdout).strip().removeprefix("nginx version: ")


@dataclass(frozen=True)
class Nginx:
    directory: Path
    app_port: int
    http_port: int
    https_port: int

    @property
    def base_url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    @property
    def configuration(self) -> Path:
        return self.directory / "nginx.conf"

    def write(self) -> Path:
        """The adapted example, and the certificate it names; the main file's path."""
        self.directory.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "1",
                "-subj",
                f"/CN={HOST}",
                "-keyout",
                str(self.directory / "key.pem"),
                "-out",
                str(self.directory / "cert.pem"),
            ],
            check=True,
            capture_output=True,
        )
        site = EXAMPLE.read_text()
        replacements = {
            "/var/cache/nginx/participation": str(self.directory / "cache"),
            "127.0.0.1:8000": f"127.0.0.1:{self.app_port}",
            "listen 80;": f"listen 127.0.0.1:{self.http_port};",
            "listen 443 ssl": f"listen 127.0.0.1:{self.https_port} ssl",
            f"/etc/letsencrypt/live/{HOST}/fullchain.pem": str(self.directory / "cert.pem"),
            f"/etc/letsencrypt/live/{HOST}/privkey.pem": str(self.directory / "key.pem"),
            "/srv/participation/static/": f"{ROOT}/static/",
        }
        for old, new in replacements.items():
            if old not in site:
                raise ValueError(f"{EXAMPLE.name} no longer says {old!r}: adapt {__name__}")
            site = site.replace(old, new)
        # The same ports again on IPv6, which a test machine may not have.
        site = re.sub(r"\n\s*listen \[::\]:[^;]*;", "", site)
        (self.directory / "site.conf").write_text(site)
        folder = self.directory
        lines = [
            # Started by root, nginx's workers would be "nobody", outside the run's folders.
            "user root;" if os.geteuid() == 0 else "",
            f"pid {folder}/nginx.pid;",
            f"error_log {folder}/error.log;",
            "events {}",
            "http {",
            "    include /etc/nginx/mime.types;",
            # The benchmark measures nginx's answers, not its access log's writes.
            "    access_log off;",
            # Every folder nginx writes to is the run's (the distribution's are root's).
            *(
                f"    {kind}_temp_path {folder}/{kind};"
                for kind in ("client_body", "proxy", "fastcgi", "scgi", "uwsgi")
            ),
            f"    include {folder}/site.conf;",
            "}",
        ]
        self.configuration.write_text("\n".join(lines) + "\n")
        return self.configuration

    def command(self, nginx: str) -> list[str]:
        return [
            nginx,
            "-c",
            str(self.configuration),
            "-p",
            str(self.directory),
            "-g",
            "daemon off;",
        ]

    def error_log(self) -> str:
        path = self.directory / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""


def cache_status(url: str) -> str | None:
    """What nginx says of its cache for ``url`` (``X-Cache-Status``: HIT, MISS, BYPASS…)."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    with opener(url).open(request, timeout=60) as response:
        response.read()
        return response.headers.get("X-Cache-Status")


@contextmanager
def serve_nginx(nginx: str, proxy: Nginx):
    """nginx, with the adapted example, until the block ends."""
    proxy.write()
    process = subprocess.Popen(
        proxy.command(nginx), stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    try:
        wait_until_answered(
            proxy.base_url + "/healthz", process, "nginx", proxy.error_log, seconds=20
        )
        yield process
    finally:
        stop(process, timeout=10)
