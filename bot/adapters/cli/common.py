"""What every `acemusic` subcommand shares: settings from the environment, and running an async
subcommand with its failures mapped to one line on stderr and an exit code (2 for configuration or
usage problems, 1 otherwise)."""

import asyncio
import logging
import sys
from collections.abc import Callable, Coroutine
from functools import wraps
from typing import Any, NoReturn, ParamSpec

import click

from bot.logs import configure_logging
from bot.settings import BUILTIN, Settings, SettingsError, load_settings

log = logging.getLogger("acemusic")
P = ParamSpec("P")

EXIT_FAILED = 1
EXIT_USAGE = 2


class CommandFailed(Exception):
    """A subcommand that could not do its job; the message is the one line printed."""

    def __init__(self, message: str, code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.code = code


def fail(message: str, code: int) -> NoReturn:
    """Print `acemusic: message` on stderr and exit with `code`."""
    click.echo(f"acemusic: {message}", err=True)
    sys.exit(code)


def async_command(func: Callable[P, Coroutine[Any, Any, int]]) -> Callable[P, None]:
    """Run an async subcommand, mapping its result and failures to exit codes."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            code = asyncio.run(func(*args, **kwargs))
        except SettingsError as exc:
            fail(str(exc), EXIT_USAGE)
        except CommandFailed as exc:
            fail(str(exc), exc.code)
        except KeyboardInterrupt:
            fail("interrupted; unfinished jobs resume with `acemusic work --until-idle`", 130)
        except Exception as exc:
            log.exception("unexpected failure")
            fail(f"unexpected error: {exc}", EXIT_FAILED)
        sys.exit(code)

    return wrapper


def settings_for(*, builtin_default: bool, quiet: bool) -> Settings:
    """Settings from the environment; `builtin_default` fills an unset ACESTEP_API_URL."""
    settings = load_settings()
    if builtin_default and not settings.acestep_api_url:
        settings = settings.model_copy(update={"acestep_api_url": [BUILTIN]})
    configure_logging(settings.log_level or ("WARNING" if quiet else "INFO"), settings.secrets)
    return settings


def stderr(line: str) -> None:
    """One progress line on stderr (stdout stays for results)."""
    click.echo(line, err=True)
