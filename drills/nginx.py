"""nginx in front of the drill's app servers, configured from the shipped site (deploy/nginx/) so the drill
exercises what an operator installs: the same proxy headers, body size, request streaming, buffering and
timeouts. Only what a loopback drill cannot have is changed: plain http on a free loopback port instead of
TLS on 443, an upstream of the drill's gunicorns with passive failover, paths in the drill's own folder.

nginx runs unprivileged (as `nobody` when the drill is root) with its own prefix, pid file and logs.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from drills.common import ROOT, free_port

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SITE = ROOT / "deploy" / "nginx" / "cameraregistry.conf"
PROXY = ROOT / "deploy" / "nginx" / "cameraregistry-proxy.conf"
# Passive failover: a request nginx could not deliver (connection refused or reset before an answer, or no
# answer in time) goes to the other app server. nginx never re-sends a POST that reached an app server
# (that needs `non_idempotent`, which we do not add): a registration must not be saved twice.
FAILOVER = "proxy_next_upstream error timeout;\nproxy_next_upstream_tries 2;\n"


def _blocks(text: str, opening: str) -> list[tuple[int, int]]:
    """(start, end) of every top-level `opening [name] {…}` block in an nginx file."""
    spans = []
    for match in re.finditer(rf"^{re.escape(opening)}(\s+\w+)?\s*\{{", text, re.M):
        depth, index = 0, match.end() - 1
        while True:
            depth += {"{": 1, "}": -1}.get(text[index], 0)
            if depth == 0:
                break
            index += 1
        spans.append((match.start(), index + 1))
    return spans


def drill_site(port: int, apps: list[str], proxy_conf: Path, static_root: Path) -> str:
    """The shipped site, with the TLS server block listening on loopback http and the drill's upstreams."""
    text = SITE.read_text()
    servers = "".join(f"    server {app.removeprefix('http://')} max_fails=1 fail_timeout=5s;\n" for app in apps)
    text, count = re.subn(r"^\s*server 127\.0\.0\.1:8000[^;]*;\n", servers, text, flags=re.M)
    if count != 1:
        raise RuntimeError(f"{SITE} no longer has the one `server 127.0.0.1:8000` upstream line the drill replaces")
    blocks = _blocks(text, "server")
    tls = [span for span in blocks if "listen 443" in text[span[0] : span[1]]]
    if len(tls) != 1:
        raise RuntimeError(f"{SITE}: expected one server block listening on 443")
    start, end = tls[0]
    body = text[start:end]
    body = re.sub(r"^[ \t]*(listen|ssl_\w+)\s[^;]*;[^\n]*\n", "", body, flags=re.M)
    body = body.replace("{", f"{{\n    listen 127.0.0.1:{port};", 1)
    body = body.replace("/etc/nginx/cameraregistry-proxy.conf", str(proxy_conf))
    body = re.sub(r"alias\s+[^;]+;", f"alias {static_root}/;", body)
    upstream = text[slice(*_blocks(text, "upstream")[0])]
    return f"{upstream}\n\n{body}\n"


class Nginx:
    """One nginx process on 127.0.0.1:<port> (chosen first: the app's links name it); `configure(apps)`, then
    `start()`; `url` is what the load generator uses."""

    def __init__(self, static_root: Path) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="drill-nginx-"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.static_root = static_root
        self.conf = self.dir / "nginx.conf"
        self.process: subprocess.Popen | None = None

    def configure(self, apps: list[str]) -> None:
        proxy_conf = self.dir / "cameraregistry-proxy.conf"
        proxy_conf.write_text(PROXY.read_text() + FAILOVER)
        (self.dir / "site.conf").write_text(drill_site(self.port, apps, proxy_conf, self.static_root))
        self.conf.write_text(
            "daemon off;\n"
            "worker_processes 1;\n"
            f"pid {self.dir}/nginx.pid;\n"
            f"error_log {self.dir}/error.log warn;\n"
            "events { worker_connections 1024; }\n"
            "http {\n"
            f"  access_log {self.dir}/access.log;\n"
            f"  client_body_temp_path {self.dir}/body;\n"
            f"  proxy_temp_path {self.dir}/proxy;\n"
            f"  fastcgi_temp_path {self.dir}/fastcgi;\n  uwsgi_temp_path {self.dir}/uwsgi;\n"
            f"  scgi_temp_path {self.dir}/scgi;\n"
            f"  include {self.dir}/site.conf;\n"
            "}\n"
        )

    def command(self, *extra: str) -> list[str]:
        base = [NGINX, "-p", str(self.dir), "-e", str(self.dir / "error.log"), "-c", str(self.conf), *extra]
        if os.geteuid() == 0:  # unprivileged: nginx as root would keep a root master process
            shutil.chown(self.dir, "nobody")
            return ["runuser", "-u", "nobody", "--", *base]
        return base

    def start(self) -> None:
        checked = subprocess.run(self.command("-t", "-q"), capture_output=True, text=True, timeout=60)  # noqa: S603
        if checked.returncode != 0:
            raise RuntimeError(f"nginx -t refused the drill's site:\n{checked.stderr}")
        self.process = subprocess.Popen(self.command(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.2)
        raise RuntimeError(f"nginx did not listen on {self.port}: {self.error_log()[-2000:]}")

    def error_log(self) -> str:
        path = self.dir / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            pid_file = self.dir / "nginx.pid"
            if pid_file.exists():  # nginx itself, not the runuser in front of it
                os.kill(int(pid_file.read_text().split()[0]), signal.SIGTERM)
            else:
                self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def remove(self) -> None:
        self.stop()
        if not os.environ.get("DRILL_KEEP"):
            shutil.rmtree(self.dir, ignore_errors=True)
