"""The bot's Prometheus metrics: jobs by state, per-server queue depth and errors, Slack API
errors and ack latency. One registry per bot (tests run several side by side); gauges that mirror
the database and the engine are refreshed when scraped."""

from collections.abc import Callable
from datetime import datetime
from typing import Final

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from bot.engine.acestep.urls import public_url
from bot.engine.jobs.runner import JobEngine
from domain.records import JobStatus
from storage import jobs as jobs_repo
from storage.database import Database

CONTENT_TYPE: Final = "text/plain; version=0.0.4; charset=utf-8"
ACK_BUCKETS: Final = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)


class Metrics:
    """Every metric of one running bot, in its own registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.jobs = Gauge("acemusic_jobs", "Jobs in each state.", ["state"], registry=r)
        self.in_flight = Gauge(
            "acemusic_server_in_flight_tasks",
            "Our tasks submitted or running on each ACE-Step server (its queue depth from us).",
            ["server"],
            registry=r,
        )
        self.server_queue = Gauge(
            "acemusic_server_queue_size",
            "The server's own queue length, as it last reported it (/v1/stats).",
            ["server"],
            registry=r,
        )
        self.server_up = Gauge(
            "acemusic_server_up",
            "1 when the server's last call got an answer.",
            ["server"],
            registry=r,
        )
        self.acestep_errors = Counter(
            "acemusic_acestep_errors",
            "Failed ACE-Step calls by server, call (poll, submit, download, ...) and reason.",
            ["server", "call", "reason"],
            registry=r,
        )
        self.slack_errors = Counter(
            "acemusic_slack_api_errors",
            "Slack Web API calls that failed, by method and error.",
            ["method", "error"],
            registry=r,
        )
        self.ack_seconds = Histogram(
            "acemusic_slack_ack_seconds",
            "Time from a Slack request reaching the app to its acknowledgement.",
            ["kind"],
            buckets=ACK_BUCKETS,
            registry=r,
        )
        self.tick_age = Gauge(
            "acemusic_engine_last_tick_age_seconds",
            "Seconds since the engine loop last finished a tick (-1: not yet).",
            registry=r,
        )

    def slack_error(self, method: str, error: str) -> None:
        """Count one failed Slack Web API call."""
        self.slack_errors.labels(method, error).inc()

    def acked(self, kind: str, seconds: float) -> None:
        """Record how long one Slack request took to be acknowledged."""
        self.ack_seconds.labels(kind).observe(seconds)

    def exposition(self) -> bytes:
        """Everything, in Prometheus text format."""
        return generate_latest(self.registry)


async def refresh(
    metrics: Metrics, db: Database, engine: JobEngine, clock: Callable[[], datetime]
) -> None:
    """Bring the gauges that mirror the database and the engine up to date."""
    counts = await jobs_repo.count_by_status(db)
    for status in JobStatus:
        metrics.jobs.labels(status.value).set(counts.get(status, 0))
    on_server = await jobs_repo.count_on_server(db)
    for server in engine.ctx.servers:
        name = public_url(server.name)
        metrics.in_flight.labels(name).set(on_server.get(server.name, 0))
        metrics.server_up.labels(name).set(1 if server.healthy else 0)
        if server.stats is not None:
            metrics.server_queue.labels(name).set(server.stats.queue_size)
    last = engine.last_tick_at
    metrics.tick_age.set(-1 if last is None else (clock() - last).total_seconds())
