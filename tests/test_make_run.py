"""`make run` on the embedded default: it sets up, serves the Chinese sign-in page, runs its clocks, and
Ctrl-C stops web, worker and beat together."""

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.smoke


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url):
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback only
        return response.status, response.read().decode()


def test_make_run_serves_the_sign_in_page_and_runs_its_clocks(tmp_path):
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update({"VAR_DIR": str(tmp_path / "var"), "PORT": str(port), "HEARTBEAT_SECONDS": "3"})
    process = subprocess.Popen(
        ["make", "run"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    status, page, body, worker_ok = None, "", "", False
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and status is None:
            try:
                status, page = _get(f"{base}/accounts/login/")
            except OSError:
                time.sleep(1)
        # The embedded worker and beat are real: the heartbeat clock reaches the database.
        while status and time.monotonic() < deadline and not worker_ok:
            _status, body = _get(f"{base}/healthz")
            worker_ok = '"worker": {"ok": true' in body
            time.sleep(1)
    finally:
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C sends to the terminal's process group
        try:
            output = process.communicate(timeout=30)[0].decode(errors="replace")
            stopped = True
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            output = process.communicate()[0].decode(errors="replace")
            stopped = False

    assert status == 200, "make run did not serve the login page:\n" + output[-3000:]
    assert "登录" in page and 'lang="zh-hans"' in page
    assert (tmp_path / "var" / "portal.sqlite3").exists()
    assert worker_ok, body + output[-3000:]
    assert stopped, "make run did not stop on Ctrl-C:\n" + output[-3000:]
    with pytest.raises(OSError):
        _get(f"{base}/accounts/login/")
