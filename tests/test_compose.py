"""docker-compose.yml: the bot and an ACE-Step server on one GPU host; PostgreSQL and workers as
profiles.

Always parsed and checked here (services, profiles, volumes, health checks, start order); where a
Compose binary is installed (`docker-compose`, Debian's package, or the `docker compose` plugin)
its own `config` must accept the file too, with every profile.
"""

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
PROFILES = ("postgres", "demo", "workers")
DEFAULT = re.compile(r"^\$\{(?P<name>[A-Z_]+):-(?P<default>[^}]*)\}$")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE.read_text())
    assert isinstance(loaded, dict)
    return loaded


def default_of(value: str) -> tuple[str, str]:
    """`${NAME:-default}` -> (NAME, default)."""
    match = DEFAULT.match(value)
    assert match, f"{value!r} is not an overridable ${{NAME:-default}}"
    return match["name"], match["default"]


def duration_s(value: str) -> float:
    """A Compose duration such as `20m`, `30s` or `1h30m` in seconds."""
    units = {"h": 3600, "m": 60, "s": 1}
    parts = re.findall(r"(\d+)([hms])", value)
    assert "".join(n + u for n, u in parts) == value, f"{value!r} is not a duration"
    return sum(int(n) * units[u] for n, u in parts)


def enabled_with(service: dict[str, Any]) -> set[str] | None:
    """The profiles that enable a service; None: always enabled."""
    profiles = service.get("profiles")
    return None if not profiles else set(profiles)


def test_no_obsolete_version_key_and_the_expected_services(compose: dict[str, Any]) -> None:
    assert "version" not in compose
    assert set(compose["services"]) == {"bot", "acestep", "postgres", "engine", "worker"}
    assert enabled_with(compose["services"]["bot"]) is None
    assert enabled_with(compose["services"]["acestep"]) is None
    assert enabled_with(compose["services"]["postgres"]) == {"postgres"}
    assert enabled_with(compose["services"]["engine"]) == {"demo"}
    assert enabled_with(compose["services"]["worker"]) == {"workers"}


def test_workers_run_the_engine_on_the_bots_database_servers_and_files(
    compose: dict[str, Any],
) -> None:
    """The bot posts what a worker downloads: same database, servers, volume and folder."""
    bot, worker = compose["services"]["bot"], compose["services"]["worker"]
    assert worker["command"] == ["acemusic", "work"]
    assert worker["env_file"] == bot["env_file"]
    assert worker["volumes"] == bot["volumes"]
    for name in ("DATABASE_URL", "ACESTEP_API_URL", "OUTPUT_DIR"):
        assert worker["environment"][name] == bot["environment"][name], name


def test_acestep_is_the_teams_image_pinned_and_overridable(compose: dict[str, Any]) -> None:
    name, image = default_of(compose["services"]["acestep"]["image"])
    assert name == "ACESTEP_IMAGE"
    repository, _, tag = image.partition(":")
    assert repository == "valyriantech/ace-step-1.5"
    assert tag, "the default image names a tag"


def test_acestep_runs_turbo_with_the_1_7b_language_model(compose: dict[str, Any]) -> None:
    environment = compose["services"]["acestep"]["environment"]
    assert default_of(environment["ACESTEP_CONFIG_PATH"])[1] == "acestep-v15-turbo"
    assert default_of(environment["ACESTEP_LM_MODEL_PATH"])[1] == "acestep-5Hz-lm-1.7B"
    assert environment["ACESTEP_INIT_LLM"] == "true"
    assert environment["ACESTEP_NO_INIT"] == "false"  # loaded before /health answers
    assert "ACESTEP_API_KEY" not in environment  # an empty key would lock every client out


def test_model_checkpoints_live_in_a_named_volume(compose: dict[str, Any]) -> None:
    service = compose["services"]["acestep"]
    mounts = dict(volume.split(":", 1) for volume in service["volumes"])
    assert mounts == {"acestep-checkpoints": "/app/checkpoints"}
    assert service["environment"]["ACESTEP_CHECKPOINTS_DIR"] == "/app/checkpoints"


def test_every_named_volume_is_declared(compose: dict[str, Any]) -> None:
    used = {
        volume.split(":", 1)[0]
        for service in compose["services"].values()
        for volume in service.get("volumes", [])
        if not volume.startswith((".", "/"))
    }
    assert used == set(compose["volumes"])


def test_acestep_reserves_a_gpu(compose: dict[str, Any]) -> None:
    devices = compose["services"]["acestep"]["deploy"]["resources"]["reservations"]["devices"]
    assert devices == [{"driver": "nvidia", "count": 1, "capabilities": ["gpu"]}]


def test_acestep_health_is_its_health_endpoint_with_time_to_load_models(
    compose: dict[str, Any],
) -> None:
    service = compose["services"]["acestep"]
    check = service["healthcheck"]
    assert "http://127.0.0.1:8000/health" in " ".join(check["test"])
    assert duration_s(check["start_period"]) >= 10 * 60
    assert service["expose"] == ["8000"]
    assert "ports" not in service  # reachable from the bot only, not from outside the host


def test_the_bot_talks_to_the_local_server_unless_told_otherwise(compose: dict[str, Any]) -> None:
    environment = compose["services"]["bot"]["environment"]
    assert default_of(environment["ACESTEP_API_URL"]) == ("ACESTEP_API_URL", "http://acestep:8000")
    name, sqlite = default_of(environment["DATABASE_URL"])
    assert name == "DATABASE_URL"
    assert sqlite.startswith("sqlite+aiosqlite:////data/")  # in the bot-data volume


def test_the_bot_starts_once_the_server_is_healthy(compose: dict[str, Any]) -> None:
    assert compose["services"]["bot"]["depends_on"] == {"acestep": {"condition": "service_healthy"}}


def test_every_dependency_is_enabled_whenever_its_dependant_is(compose: dict[str, Any]) -> None:
    """Compose refuses to start a service whose dependency sits in a profile not enabled."""
    services = compose["services"]
    for name, service in services.items():
        for dependency, rule in service.get("depends_on", {}).items():
            needs, has = enabled_with(service), enabled_with(services[dependency])
            assert has is None or (needs is not None and needs <= has), (name, dependency)
            if rule["condition"] == "service_healthy":
                assert "healthcheck" in services[dependency], (name, dependency)


def test_postgres_profile_has_a_health_check_a_volume_and_the_documented_url(
    compose: dict[str, Any],
) -> None:
    service = compose["services"]["postgres"]
    assert service["image"] == "postgres:15"
    assert service["healthcheck"]["test"][:2] == ["CMD", "pg_isready"]
    assert service["volumes"] == ["postgres-data:/var/lib/postgresql/data"]
    user = service["environment"]["POSTGRES_USER"]
    database = service["environment"]["POSTGRES_DB"]
    documented = f"DATABASE_URL=postgresql+asyncpg://{user}:<the same password>@postgres:5432/"
    assert documented + database in COMPOSE.read_text()
    assert default_of(service["environment"]["POSTGRES_PASSWORD"]) == ("POSTGRES_PASSWORD", "")


def test_only_keys_every_compose_version_accepts(compose: dict[str, Any]) -> None:
    """`required` (depends_on) and `start_interval` (healthcheck) are Compose v2.20+ only."""
    for service in compose["services"].values():
        assert "start_interval" not in service.get("healthcheck", {})
        for rule in service.get("depends_on", {}).values():
            assert "required" not in rule


def compose_commands() -> list[list[str]]:
    commands = []
    if shutil.which("docker-compose"):
        commands.append(["docker-compose"])
    docker = shutil.which("docker")
    if docker:
        plugin = subprocess.run([docker, "compose", "version"], capture_output=True, check=False)
        if plugin.returncode == 0:
            commands.append([docker, "compose"])
    return commands


@pytest.mark.skipif(not compose_commands(), reason="no Compose binary installed here")
@pytest.mark.parametrize("profiles", [(), PROFILES])
def test_compose_itself_accepts_the_file(tmp_path: Path, profiles: tuple[str, ...]) -> None:
    shutil.copy(COMPOSE, tmp_path / "docker-compose.yml")
    (tmp_path / ".env").write_text("")  # the bot's env_file must exist
    expected = {"bot", "acestep"} | {"postgres"} & set(profiles)
    if "demo" in profiles:
        expected.add("engine")
    if "workers" in profiles:
        expected.add("worker")
    for command in compose_commands():
        selected = [part for profile in profiles for part in ("--profile", profile)]
        done = subprocess.run(
            [*command, *selected, "config", "--services"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        # docker-compose 1.29 lists every service whatever the profiles; v2 only the enabled ones
        assert expected <= set(done.stdout.split()), command
