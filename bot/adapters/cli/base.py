"""What every `acemusic` subcommand shares: exit codes, one-line failures, settings and logging.

Light on purpose (click and the standard library only): `acemusic --help` imports it.
"""

import asyncio
import logging
import sys
from collections.abc import Callable, Coroutine
from functools import wraps
from typing import TYPE_CHECKING, Any, NoReturn, ParamSpec

import click

if TYPE_CHECKING:
    from bot.settings import Settings

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
        from bot.settings import SettingsError  # noqa: PLC0415 -- pydantic: not for --help

        try:
            code = asyncio.run(func(*args, **kwargs))
        except SettingsError as exc:
            fail(str(exc), EXIT_USAGE)
        except click.UsageError as exc:
            fail(exc.format_message(), EXIT_USAGE)
        except CommandFailed as exc:
            fail(str(exc), exc.code)
        except KeyboardInterrupt:
            fail("interrupted; unfinished jobs resume with `acemusic work --until-idle`", 130)
        except Exception as exc:
            log.exception("unexpected failure")
            fail(f"unexpected error: {exc}", EXIT_FAILED)
        sys.exit(code)

    return wrapper


def settings_for(*, builtin_default: bool, quiet: bool) -> "Settings":
    """Settings from the environment; `builtin_default` fills an unset ACESTEP_API_URL."""
    from bot.logs import configure_logging  # noqa: PLC0415
    from bot.settings import BUILTIN, load_settings  # noqa: PLC0415

    settings = load_settings()
    if builtin_default and not settings.acestep_api_url:
        settings = settings.model_copy(update={"acestep_api_url": [BUILTIN]})
    configure_logging(settings.log_level or ("WARNING" if quiet else "INFO"), settings.secrets)
    return settings


def stderr(line: str) -> None:
    """One line on stderr (progress and notices; stdout is for results)."""
    click.echo(line, err=True)
