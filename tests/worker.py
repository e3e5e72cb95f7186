"""Run a real Celery worker for a test: a subprocess on the test settings and test database.

The worker uses this run's test database and a private queue on a Redis database from 5 to
9, so parallel runs and other projects are not disturbed; eager tasks and inline jobs are
turned off for it (and for the test's producer) through the environment and settings.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection
from kombu import pools as kombu_pools

from config.celery import app

REDIS_HOST = "127.0.0.1"
REDIS_PORT = 6379
ROOT = Path(__file__).resolve().parents[1]


def redis_answers() -> bool:
    """Return True when the local Redis server answers a ping."""
    import redis

    try:
        return bool(redis.Redis(host=REDIS_HOST, port=REDIS_PORT, socket_timeout=2).ping())
    except redis.RedisError:
        return False


def require_redis() -> None:
    """Skip without Redis; fail instead in CI, where it must be there."""
    if redis_answers():
        return
    message = f"Redis does not answer on {REDIS_HOST}:{REDIS_PORT}; the worker test needs it"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def test_database_url() -> str:
    """Return a DATABASE_URL for the database this test run uses (test_<name>)."""
    database = connection.settings_dict
    user = quote(str(database.get("USER") or ""), safe="")
    password = quote(str(database.get("PASSWORD") or ""), safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = database.get("HOST") or "127.0.0.1"
    port = database.get("PORT") or "5432"
    return f"postgres://{credentials}{host}:{port}/{quote(str(database['NAME']), safe='')}"


def _drop_pools() -> None:
    """Forget every connection and producer pool this process's Celery app holds."""
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None
    # kombu keeps producer pools per connection in a global registry: drop them too, or
    # the next producer on the same broker gets a pool closed above.
    kombu_pools.reset()  # type: ignore[no-untyped-call]


@contextmanager
def producer(broker: str) -> Iterator[None]:
    """Let this process publish to ``broker`` for real (test settings make tasks eager).

    Pools are dropped before as well as after: a pool an earlier test left behind would
    still point at its broker (the local RabbitMQ of the default URL accepts anything), and
    the job would wait in a queue no worker reads.
    """
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    _drop_pools()
    app.conf.update(broker_url=broker, task_always_eager=False)
    try:
        yield
    finally:
        app.conf.update(saved)
        _drop_pools()


def _stop(worker: subprocess.Popen[Any]) -> None:
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=15)


def _forget_queue(db_number: int, queue: str) -> None:
    import redis

    client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=db_number, socket_timeout=2)
    client.delete(queue, f"_kombu.binding_permanent.{queue}")
    for key in client.scan_iter("_kombu.binding.*"):
        for member in client.smembers(key):
            if queue.encode() in member:
                client.srem(key, member)
    for deadline in client.zrange("_kombu.binding_deadlines", 0, -1):
        if isinstance(deadline, bytes) and queue.encode() in deadline:
            client.zrem("_kombu.binding_deadlines", deadline)


@dataclass
class Worker:
    """A running worker: its broker, queue, process and log."""

    broker: str
    queue: str
    process: subprocess.Popen[Any]
    log_path: Path

    def output(self) -> str:
        """Return what the worker logged so far."""
        return self.log_path.read_text()

    def kill(self) -> None:
        """Kill the worker at once (SIGKILL: no warm shutdown, nothing acknowledged)."""
        self.process.kill()
        self.process.wait(timeout=15)

    def alive(self) -> bool:
        """Return True while the worker process runs."""
        return self.process.poll() is None

    def wait_for(self, done: Callable[[], bool], seconds: float) -> bool:
        """Poll ``done`` until it is true, the worker dies or ``seconds`` pass."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and self.alive():
            if done():
                return True
            time.sleep(0.25)
        return done()


@contextmanager
def real_worker(
    settings: Any, *, imports: Sequence[str] = (), environment: Mapping[str, str] | None = None
) -> Iterator[Worker]:
    """Start a worker on a private queue, point this process's job settings at it, stop it.

    ``imports`` are extra modules the worker imports at start (``-I``), e.g. test job kinds;
    ``environment`` adds variables to the worker's environment.
    Jobs enqueued inside the block (outside a transaction) go to the worker.
    """
    require_redis()
    db_number = 5 + os.getpid() % 5
    broker = f"redis://{REDIS_HOST}:{REDIS_PORT}/{db_number}"
    queue = f"kinerja-test-{uuid.uuid4().hex[:12]}"
    variables = {
        **os.environ,
        **(environment or {}),
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": test_database_url(),
        "CELERY_BROKER_URL": broker,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "WORKFLOW_JOBS_INLINE": "false",
        "WORKFLOW_JOBS_QUEUE": queue,
    }
    log = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed in the finally block)
        "w+", prefix="kinerja-worker-", suffix=".log", delete=False
    )
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "--pool=solo",
        "--concurrency=1",
        "-Q",
        queue,
        "-n",
        f"{queue}@%h",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "-l",
        "info",
    ]
    for module in imports:
        command += ["-I", module]
    process = subprocess.Popen(
        command, cwd=ROOT, env=variables, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        settings.CELERY_BROKER_URL = broker
        settings.WORKFLOW_JOBS_INLINE = False
        settings.WORKFLOW_JOBS_QUEUE = queue
        with producer(broker):
            yield Worker(broker=broker, queue=queue, process=process, log_path=Path(log.name))
    finally:
        _stop(process)
        log.close()
        os.unlink(log.name)
        _forget_queue(db_number, queue)
