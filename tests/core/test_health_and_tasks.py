import subprocess
import sys
import time
import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from unionportal.celery import app
from unionportal.core.models import Heartbeat
from unionportal.core.tasks import heartbeat


@pytest.mark.django_db
def test_healthz_reports_database_broker_and_worker(client):
    body = client.get("/healthz").json()
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is True  # the suite runs against a real Redis
    assert body["checks"]["worker"] == {"ok": False, "detail": "no heartbeat yet"}
    assert body["status"] == "degraded"

    heartbeat()
    body = client.get("/healthz").json()
    assert body["status"] == "ok"


@pytest.mark.django_db
def test_healthz_strict_mode_fails_on_a_stale_worker(client):
    Heartbeat.objects.create(name="worker", beat_at=timezone.now() - timedelta(minutes=10))
    assert client.get("/healthz").status_code == 200
    assert client.get("/healthz?strict=1").status_code == 503


@pytest.mark.django_db
def test_healthz_reports_a_broker_that_is_down(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    body = client.get("/healthz").json()
    assert body["checks"]["broker"]["ok"] is False
    assert client.get("/healthz").status_code == 200  # the web node itself can still serve


@pytest.mark.django_db
def test_heartbeat_is_safe_to_run_twice():
    heartbeat()
    heartbeat()
    assert Heartbeat.objects.filter(name="worker").count() == 1


def test_every_beat_entry_names_a_registered_task():
    app.loader.import_default_modules()
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, name


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_task_from_the_broker(tmp_path):
    """Broker → worker → database, with a real Celery worker process on the real Redis broker."""
    db = connection.settings_dict
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "VAR_DIR": str(tmp_path),
    }
    # A queue of this test's own: tasks other tests queued on the shared broker (no worker runs during the
    # suite) would otherwise stand before this one, and the worker would run them against this database.
    queue = f"test-worker-{uuid.uuid4().hex[:12]}"
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "unionportal", "worker", "--pool", "solo", "--loglevel", "WARNING",
         "--queues", queue],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        heartbeat.apply_async(queue=queue)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not Heartbeat.objects.filter(name="worker").exists():
            time.sleep(0.2)
        assert Heartbeat.objects.filter(name="worker").exists(), worker.stderr.read1().decode() if worker.poll() else ""
    finally:
        worker.terminate()
        worker.wait(timeout=20)
