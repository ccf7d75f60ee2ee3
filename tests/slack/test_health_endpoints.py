"""`acemusic serve` answers /healthz and /metrics over HTTP in Socket Mode and HTTP mode alike;
health is a real database query and the engine loop's last tick, not a constant."""

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from bot.monitoring.acestep import CountingTransport
from bot.monitoring.checks import HealthChecks
from bot.monitoring.http import serving
from bot.monitoring.metrics import Metrics
from bot.services import Services
from storage.database import Database
from tests.slack.conftest import Harness, MakeBot

pytestmark = pytest.mark.slow


def health_url(h: Harness, path: str = "/healthz") -> str:
    return f"http://127.0.0.1:{h.run.health_port}{path}"


async def healthy(h: Harness) -> httpx.Response | None:
    async with httpx.AsyncClient() as http:
        response = await http.get(health_url(h))
    return response if response.status_code == 200 else None


@pytest.mark.parametrize("mode", ["socket", "http"])
async def test_healthz_reports_database_and_engine_loop(make_bot: MakeBot, mode: str) -> None:
    """Runs the REAL background loops (loops=True): health reports the engine loop's last tick."""
    h = await make_bot(mode, loops=True)
    response = await h.until(lambda: healthy(h), what="a healthy answer")
    report = response.json()
    assert report["ok"] is True
    assert report["database"] == {"ok": True, "detail": "0 unfinished job(s)"}
    assert report["engine"]["ok"] is True
    assert report["engine"]["detail"].startswith("last tick")
    if mode == "http":  # the public Slack port answers the same check
        async with httpx.AsyncClient() as http:
            public = await http.get(f"http://127.0.0.1:{h.run.port}/healthz")
        assert public.status_code == 200
        assert public.json()["database"]["ok"] is True


@pytest.mark.parametrize("mode", ["socket", "http"])
async def test_a_stuck_engine_loop_is_unhealthy(make_bot: MakeBot, mode: str) -> None:
    """Runs the REAL background loops (loops=True), then makes their last tick look old."""
    h = await make_bot(mode, health_stale_seconds=60, loops=True)
    await h.until(lambda: healthy(h), what="a healthy answer")
    h.run.health.clock = lambda: datetime.now(UTC) + timedelta(minutes=5)  # no tick for 5 min
    async with httpx.AsyncClient() as http:
        response = await http.get(health_url(h))
    assert response.status_code == 503
    assert response.json()["ok"] is False
    assert "stuck?" in response.json()["engine"]["detail"]


@pytest.mark.parametrize("mode", ["socket", "http"])
async def test_metrics_in_prometheus_format(make_bot: MakeBot, mode: str) -> None:
    h = await make_bot(mode)
    h.fake.fail_next("chat.postMessage", "not_in_channel")  # the first card post is refused
    await h.slash("spa 10 sec x1 wav")
    await h.card_ts(1)
    async with httpx.AsyncClient() as http:
        response = await http.get(health_url(h, "/metrics"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    text = response.text
    assert 'acemusic_jobs{state="queued"}' in text
    assert 'acemusic_jobs{state="done"}' in text
    assert 'acemusic_server_in_flight_tasks{server="builtin"}' in text
    assert 'acemusic_server_up{server="builtin"} 1.0' in text
    assert 'acemusic_slack_ack_seconds_count{kind="command"} 1.0' in text
    assert (
        'acemusic_slack_api_errors_total{error="not_in_channel",method="chat.postMessage"} 1.0'
        in text
    )
    assert "acemusic_engine_last_tick_age_seconds" in text


async def test_a_broken_database_is_unhealthy(services: Services, tmp_path: Path) -> None:
    path = tmp_path / "broken.db"
    db = await Database.open(f"sqlite+aiosqlite:///{path}")
    with sqlite3.connect(path) as raw:
        raw.execute("DROP TABLE jobs")
    services.engine.last_tick_at = datetime.now(UTC)
    checks = HealthChecks(db, services.engine, 60, clock=lambda: datetime.now(UTC))
    try:
        async with (
            serving(checks, Metrics(), host="127.0.0.1", port=0) as port,
            httpx.AsyncClient() as http,
        ):
            response = await http.get(f"http://127.0.0.1:{port}/healthz")
    finally:
        await db.close()
    assert response.status_code == 503
    assert response.json()["database"] == {"ok": False, "detail": "query failed: OperationalError"}
    assert response.json()["engine"]["ok"] is True


async def test_failed_acestep_calls_are_counted_per_server_and_call() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/release_task":
            raise httpx.ConnectTimeout("too slow", request=request)
        return httpx.Response(429 if request.url.path == "/query_result" else 200, json={})

    metrics = Metrics()
    transport = CountingTransport(
        httpx.MockTransport(answer), server="http://gpu:8001", errors=metrics.acestep_errors
    )
    async with httpx.AsyncClient(transport=transport, base_url="http://gpu:8001") as http:
        assert (await http.post("/query_result")).status_code == 429
        with pytest.raises(httpx.ConnectTimeout):
            await http.post("/release_task")
        await http.get("/health")
    text = metrics.exposition().decode()
    poll = 'call="poll",reason="429",server="http://gpu:8001"'
    submit = 'call="submit",reason="ConnectTimeout",server="http://gpu:8001"'
    assert f"acemusic_acestep_errors_total{{{poll}}} 1.0" in text
    assert f"acemusic_acestep_errors_total{{{submit}}} 1.0" in text
    assert 'call="health"' not in text
