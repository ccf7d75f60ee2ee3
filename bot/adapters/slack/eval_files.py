"""`@bot eval import <session> [zone=…]` with audio files and/or a manifest attached: download them
(with the bot token, from Slack's file host only; never files stored elsewhere) and import them as
the session's references (`commands.evaluation.imports.import_attachments`)."""

import logging
from typing import Any, Final

from bot.adapters.slack.batch_files import (
    MANIFEST_MAX_BYTES,
    external_file_refusal,
    files_of_message,
    is_external,
)
from bot.adapters.slack.context import SlackBot
from bot.adapters.slack.uploads import UploadFailed
from commands.context import Caller
from commands.errors import UsageError
from commands.evaluation.args import EXAMPLE_IMPORT, parse_import_args
from commands.evaluation.imports import Attachment, import_attachments, import_reply
from commands.replies import Reply, usage_reply
from domain.references import REFERENCE_MAX_BYTES

log = logging.getLogger(__name__)

MANIFEST_SUFFIXES: Final = (".csv", ".json", ".tsv")


def wants_eval_import(text: str) -> bool:
    """Whether a mention says `eval import …` (its files are the references)."""
    words = text.split()
    return len(words) >= 2 and words[0].lower() == "eval" and words[1].lower() == "import"


async def eval_import_files(
    bot: SlackBot, event: dict[str, Any], text: str, caller: Caller
) -> Reply:
    """Import the mention's attached files into the session it names."""
    try:
        args = parse_import_args(text.split(None, 2)[2] if len(text.split()) > 2 else "")
    except UsageError as error:
        return usage_reply(error.message, error.example)
    files = event.get("files") or await files_of_message(bot, event)
    if not files:
        return usage_reply(
            "Attach the reference audio files (and/or a .csv/.json manifest) to the message.",
            EXAMPLE_IMPORT,
        )
    if bot.publisher is None:
        return Reply(
            text="The bot is still starting; try again in a moment.", ephemeral=True, ok=False
        )
    manifest: Attachment | None = None
    audio: list[Attachment] = []
    refused: list[str] = []
    for file in files:
        name = str(file.get("name") or "unnamed")
        is_manifest = name.lower().endswith(MANIFEST_SUFFIXES) and manifest is None
        data = await _download(bot, file, name, is_manifest, refused)
        if data is None:
            continue
        if is_manifest:
            manifest = Attachment(name, data)
        else:
            audio.append(Attachment(name, data))
    try:
        outcome = await import_attachments(
            bot.services, caller, args.session, audio, manifest=manifest, zone=args.zone
        )
    except UsageError as error:
        return usage_reply(error.message, error.example)
    reply = import_reply(outcome)
    return Reply(
        text=reply.text,
        lines=(*reply.lines, *refused),
        ok=reply.ok,
        ephemeral=reply.ephemeral,
    )


async def _download(
    bot: SlackBot, file: dict[str, Any], name: str, manifest: bool, refused: list[str]
) -> bytes | None:
    """The file's bytes, or None with the reason added to `refused`."""
    limit = MANIFEST_MAX_BYTES if manifest else REFERENCE_MAX_BYTES
    if is_external(file):
        refused.append(external_file_refusal(name))
        return None
    size = file.get("size")
    if isinstance(size, int) and size > limit:
        refused.append(f"{name}: {size / 1_048_576:.1f} MB; at most {limit // 1_048_576} MB")
        return None
    assert bot.publisher is not None
    try:
        return await bot.publisher.files.download(
            str(file.get("url_private_download") or file.get("url_private")), max_bytes=limit
        )
    except UploadFailed as exc:
        refused.append(f"{name}: could not be downloaded ({exc})")
        return None
