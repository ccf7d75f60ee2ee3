"""`acemusic doctor`: check configuration and every connection, one ✓/✗ line each.

With only the built-in stand-in configured nothing is reached over the network, so the services
(engine, stand-in, numpy) are not loaded at all: the stand-in's check is that its audio folder is
writable. Real servers are probed through the same services `serve` uses.
"""

import tempfile
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.settings import BUILTIN, Settings
from presets.loader import PresetError, load_presets
from storage import jobs as jobs_repo
from storage.database import Database

Emit = Callable[[str], None]


async def run_doctor(settings: Settings, emit: Emit) -> int:
    """Run every check, printing as it goes; returns the number of problems found."""
    problems = 0
    for check in (_check_servers_configured, _check_presets, _check_output_dir):
        problems += check(settings, emit)
    problems += await _check_database(settings, emit)
    problems += await _check_servers(settings, emit)
    return problems


def _line(emit: Emit, ok: bool, text: str) -> int:
    emit(f"{'✓' if ok else '✗'} {text}")
    return 0 if ok else 1


def _check_servers_configured(settings: Settings, emit: Emit) -> int:
    urls = ", ".join(_shown(url) for url in settings.acestep_api_url)
    if settings.uses_builtin_engine:
        emit(
            f"! ACE-Step servers: {urls}. '{BUILTIN}' is the placeholder stand-in; "
            "`acemusic serve` uses it only when ACESTEP_API_URL=builtin is set explicitly."
        )
        return 0
    return _line(emit, True, f"ACE-Step servers configured: {urls}")


def _shown(url: str) -> str:
    """A server's address without credentials."""
    if url == BUILTIN:
        return url
    from bot.engine.acestep.urls import public_url  # noqa: PLC0415 -- loads the HTTP client

    return public_url(url)


def _check_presets(settings: Settings, emit: Emit) -> int:
    try:
        library = load_presets()
    except PresetError as exc:
        return _line(emit, False, f"Presets: {exc}")
    return _line(emit, True, f"Presets: {len(library)} loaded")


def _check_output_dir(settings: Settings, emit: Emit) -> int:
    folder = settings.output_dir
    problem = _not_writable(folder)
    if problem:
        return _line(emit, False, f"Output folder {folder}: not writable ({problem})")
    return _line(emit, True, f"Output folder {Path(folder).resolve()}: writable")


def _not_writable(folder: Path) -> str | None:
    """Why a file cannot be made in `folder` (created if missing), or None when it can."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".doctor-"):
            pass
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


async def _check_database(settings: Settings, emit: Emit) -> int:
    shown = make_url(settings.database_url).render_as_string(hide_password=True)
    try:
        db = await Database.open(settings.database_url)
    except Exception as exc:  # any driver error means the same thing here: cannot use it
        return _line(emit, False, f"Database {shown}: cannot open ({exc})")
    try:
        unfinished = await jobs_repo.count_unfinished(db)
    finally:
        await db.close()
    return _line(emit, True, f"Database {shown}: schema up to date, {unfinished} unfinished job(s)")


async def _check_servers(settings: Settings, emit: Emit) -> int:
    if set(settings.acestep_api_url) == {BUILTIN}:
        return _check_builtin(settings, emit)
    # Imported here: the engine and its HTTP client are needed only when there is a server to reach.
    from bot.engine.health import probe_all  # noqa: PLC0415
    from bot.services import open_services  # noqa: PLC0415
    from commands.status import describe_server  # noqa: PLC0415

    async with open_services(settings) as services:
        reports = await probe_all(services.servers)
    return sum(_line(emit, report.ok, describe_server(report)) for report in reports)


def _check_builtin(settings: Settings, emit: Emit) -> int:
    """The in-process stand-in has nothing to reach; it needs only a writable audio folder."""
    label = f"{BUILTIN} (built-in stand-in: placeholder audio)"
    folder = settings.standin_audio_dir
    problem = _not_writable(folder)
    if problem:
        return _line(emit, False, f"{label}: audio folder {folder} not writable ({problem})")
    return _line(emit, True, f"{label}: ok · runs in this process, audio folder {folder} writable")
