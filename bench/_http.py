"""What every benchmark of the portal needs: a real server on loopback, a signed-in client, timings, the machine.

Speed is measured through the real stack: gunicorn serving the WSGI app, a Celery worker for the background
work, HTTP on 127.0.0.1. Every process started here runs in its own process group and is stopped (TERM,
then KILL) when its ``with`` block ends, whatever happened inside it.
"""

import http.client
import os
import platform
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager, suppress
from datetime import datetime
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
REQUEST_TIMEOUT = 120  # seconds; one request slower than this is a failure, not a figure


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bench_env(**extra) -> dict:
    """The environment of the servers: the caller's (DATABASE_URL, REDIS_URL), production-like switches."""
    env = {**os.environ, "DEBUG": "0", "PYTHONUNBUFFERED": "1", **extra}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


@contextmanager
def process(args: list[str], *, env: dict, log: Path, ready: "callable", deadline: float = 60):
    """Run ``args`` (output to ``log``) until the block ends; ``ready()`` must turn true within ``deadline``."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            limit = time.monotonic() + deadline
            while not ready():
                if proc.poll() is not None:
                    raise RuntimeError(f"{args[0]} exited with {proc.returncode}; see {log}")
                if time.monotonic() > limit:
                    raise RuntimeError(f"{args[0]} not ready after {deadline} s; see {log}")
                time.sleep(0.2)
            yield proc
        finally:
            stop(proc)


def stop(proc: subprocess.Popen, grace: float = 10) -> None:
    """TERM the process group, then KILL it if it is still there after ``grace`` seconds."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(grace)
    except ProcessLookupError:
        pass


@contextmanager
def gunicorn(*, env: dict, log_dir: Path, workers: int = 2):
    """gunicorn on a free loopback port; yields the port once /healthz answers."""
    port = free_port()

    def ready() -> bool:
        try:
            return Client(port).get("/healthz").status in (200, 503)
        except OSError:
            return False

    args = [str(VENV_BIN / "gunicorn"), "unionportal.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
    args += ["--timeout", str(REQUEST_TIMEOUT), "--log-level", "warning"]
    with process(args, env=env, log=log_dir / "gunicorn.log", ready=ready):
        yield port


@contextmanager
def celery_worker(*, env: dict, log_dir: Path, concurrency: int = 1):
    """A Celery worker on the broker named in the environment; ready when it answers a ping."""
    name = f"bench-{uuid.uuid4().hex[:8]}@%h"
    args = [str(VENV_BIN / "celery"), "-A", "unionportal", "worker", "--loglevel", "INFO"]
    args += ["--concurrency", str(concurrency), "--hostname", name, "--without-gossip", "--without-mingle"]
    log = log_dir / "celery.log"

    def ready() -> bool:
        return log.exists() and b"ready." in log.read_bytes()

    with process(args, env=env, log=log, ready=ready, deadline=90):
        yield


class Response:
    def __init__(self, status: int, headers: dict, body: bytes, seconds: float):
        self.status, self.headers, self.body, self.seconds = status, headers, body, seconds

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


class Client:
    """A small browser: keeps cookies, sends the CSRF token, never follows redirects, times each request.

    A new connection per request, as gunicorn's sync workers close it after each response anyway.
    """

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes = b"", headers: dict | None = None) -> Response:
        headers = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            headers.setdefault("Referer", f"http://127.0.0.1:{self.port}{path}")
            if token := self.cookies.get("csrftoken"):
                headers["X-CSRFToken"] = token
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        try:
            connection.request(method, path, body=body or None, headers=headers)
            raw = connection.getresponse()
            data = raw.read()
        finally:
            connection.close()
        seconds = time.perf_counter() - started
        response_headers = {}
        for name, value in raw.getheaders():
            if name.lower() == "set-cookie":
                for key, morsel in SimpleCookie(value).items():
                    self.cookies[key] = morsel.value
            response_headers[name.lower()] = value
        return Response(raw.status, response_headers, data, seconds)

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, data: dict) -> Response:
        data = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **data}
        body = urlencode(data).encode()
        return self.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})

    def post_multipart(self, path: str, data: dict, files: dict[str, tuple[str, bytes, str]]) -> Response:
        """``files``: field → (file name, content, content type)."""
        boundary = secrets.token_hex(16)
        parts = []
        for name, value in {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **data}.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        for name, (filename, content, content_type) in files.items():
            head = (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                f"Content-Type: {content_type}\r\n\r\n"
            )
            parts.append(head.encode() + content + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request(
            "POST", path, b"".join(parts), {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        )

    def login(self, username: str, password: str, path: str = "/accounts/login/") -> None:
        """Sign in once (the login is rate-limited per username and address); the session cookie is kept."""
        page = self.get(path)
        if page.status != 200 or "csrftoken" not in self.cookies:
            raise RuntimeError(f"login page answered {page.status}")
        response = self.post(path, {"username": username, "password": password})
        if response.status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"login as {username} failed: {response.status}")


def form_token(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    return match.group(1) if match else ""


class Timings:
    """Wall-clock seconds of a series of requests; figures in milliseconds."""

    def __init__(self, samples: list[float]):
        self.samples = sorted(samples)

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile, in ms."""
        index = max(0, min(len(self.samples) - 1, round(p / 100 * len(self.samples) + 0.5) - 1))
        return self.samples[index] * 1000

    @property
    def count(self) -> int:
        return len(self.samples)

    @property
    def p50(self) -> float:
        return statistics.median(self.samples) * 1000

    @property
    def p95(self) -> float:
        return self.percentile(95)

    @property
    def max(self) -> float:
        return self.samples[-1] * 1000


def machine() -> dict:
    """What a later run needs to compare with this one."""
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    cpu = ""
    with suppress(OSError, StopIteration):
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    return {
        "date": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M UTC%z"),
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "memory": memory,
        "os": platform.platform(),
        "python": sys.version.split()[0],
    }
