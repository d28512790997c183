"""Exactly one beat: a lease row decides which ``celery beat`` sends the clocks."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
import redis
from django.conf import settings
from django.db import connection

from unionportal.core.beat import LEASE, lease_release, lease_renew, lease_take
from unionportal.core.models import BeatLease


@pytest.mark.django_db
def test_one_holder_at_a_time_until_the_lease_expires_or_is_given_back():
    assert lease_take(holder="a", seconds=60)
    assert not lease_take(holder="b", seconds=60)
    assert lease_take(holder="a", seconds=60)  # its own lease: taken again on a restart of the same holder
    assert lease_renew(holder="a", seconds=60) and not lease_renew(holder="b", seconds=60)

    lease_release(holder="a")
    assert lease_take(holder="b", seconds=60)
    assert not lease_renew(holder="a", seconds=60)  # "a" lost it: its scheduler stops rather than send


@pytest.mark.django_db
def test_an_expired_lease_passes_to_the_standby():
    assert lease_take(holder="a", seconds=-1)  # as if "a" stopped renewing long ago
    assert lease_take(holder="b", seconds=60)
    assert BeatLease.objects.get(name=LEASE).holder == "b"


def _heartbeats(client) -> set[str]:
    """Ids of the heartbeat messages waiting in the queue."""
    ids = set()
    for raw in client.lrange("celery", 0, -1):
        headers = json.loads(raw).get("headers", {})
        if headers.get("task") == "unionportal.core.tasks.heartbeat":
            ids.add(headers["id"])
    return ids


def _beat(tmp_path, name: str, broker: str) -> subprocess.Popen:
    db = connection.settings_dict
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": broker,
        "VAR_DIR": str(tmp_path / name),  # each "machine" its own disk and schedule file
        "HEARTBEAT_SECONDS": "1",
        "BEAT_LEASE_SECONDS": "3",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "unionportal", "beat", "--loglevel", "INFO"],
        env=env, cwd=settings.BASE_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_two_beats_send_each_tick_once_and_the_standby_takes_over(tmp_path):
    """Two ``celery beat`` processes with a 1-second heartbeat clock: ~one send a second, not two."""
    broker = settings.REDIS_URL
    client = redis.Redis.from_url(broker)
    before = _heartbeats(client)
    beats = [_beat(tmp_path, "node-a", broker), _beat(tmp_path, "node-b", broker)]
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (_heartbeats(client) - before):
            assert all(beat.poll() is None for beat in beats), beats[0].stderr.read1().decode()
            time.sleep(0.2)
        start = _heartbeats(client) - before
        assert start, "no beat sent the heartbeat within 30 s"

        time.sleep(10)
        sent = _heartbeats(client) - before - start
        # One beat sends 10 (±1 for the edges) in 10 s; two unlocked beats would send about 20. The lower bound is
        # loose: `make test` runs this beside the busy xdist workers, and a starved beat sends late, never twice.
        assert 5 <= len(sent) <= 12, len(sent)
        assert all(beat.poll() is None for beat in beats)  # the other one is waiting, not dead

        # The holder dies without giving the lease back: the standby takes over once it expires (3 s).
        holder = BeatLease.objects.get(name=LEASE).holder
        leader = next(beat for beat in beats if holder.split(":")[1] == str(beat.pid))
        os.kill(leader.pid, signal.SIGKILL)
        leader.wait(timeout=10)
        seen = _heartbeats(client)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not (_heartbeats(client) - seen):
            time.sleep(0.2)
        assert _heartbeats(client) - seen, "the standby did not take over"
        assert BeatLease.objects.get(name=LEASE).holder != holder
    finally:
        for beat in beats:
            if beat.poll() is None:
                beat.terminate()
        for beat in beats:
            try:
                beat.wait(timeout=20)
            except subprocess.TimeoutExpired:
                beat.kill()
        # Leave the shared broker as found: no heartbeat this test queued is left for a later worker.
        for raw in client.lrange("celery", 0, -1):
            headers = json.loads(raw).get("headers", {})
            if headers.get("task") == "unionportal.core.tasks.heartbeat" and headers.get("id") not in before:
                client.lrem("celery", 0, raw)
