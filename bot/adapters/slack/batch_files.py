"""`@bot batch` with a CSV or JSON manifest attached: download it and plan the batch from it."""

import logging
from typing import Any, Final

from slack_sdk.errors import SlackApiError

from bot.adapters.slack.context import SlackBot
from bot.adapters.slack.uploads import UploadFailed, describe_error
from commands.batch import BatchSource, parse_batch_args, plan_manifest_off_loop, submit_plan
from commands.context import Caller
from commands.errors import UsageError
from commands.replies import Reply, usage_reply

log = logging.getLogger(__name__)

MANIFEST_MAX_BYTES: Final = 5_000_000
MANIFEST_SUFFIXES: Final = (".csv", ".json", ".tsv", ".txt")
EXAMPLE: Final = (
    "@ACE Music batch  (with a CSV attached: preset,caption,duration,bpm,key,count,tags)"
)


def wants_manifest_batch(text: str) -> bool:
    """Whether a mention asks for a batch without naming a preset (so: from an attached file)."""
    verb, _, rest = text.strip().partition(" ")
    return verb.lower() == "batch" and not parse_batch_args(rest).words


async def manifest_batch(bot: SlackBot, event: dict[str, Any], text: str, caller: Caller) -> Reply:
    """Plan and start (or estimate, or ask to confirm) a batch from the mention's attached file."""
    args = parse_batch_args(text.strip().partition(" ")[2])
    files = event.get("files") or await files_of_message(bot, event)
    manifest = next(
        (f for f in files if str(f.get("name", "")).lower().endswith(MANIFEST_SUFFIXES)), None
    )
    if manifest is None:
        return usage_reply(
            "Attach the batch's manifest (a .csv or .json file) to the message.", EXAMPLE
        )
    if bot.publisher is None:
        return Reply(
            text="The bot is still starting; try again in a moment.", ephemeral=True, ok=False
        )
    name = str(manifest.get("name"))
    if is_external(manifest):
        return Reply(text=external_file_refusal(name), ephemeral=True, ok=False)
    try:
        data = await bot.publisher.files.download(
            str(manifest.get("url_private_download") or manifest.get("url_private")),
            max_bytes=MANIFEST_MAX_BYTES,
        )
        plan, source = await plan_manifest_off_loop(data, name, bot.services, seed=args.seed)
    except UploadFailed as exc:
        return Reply(text=f"Could not read {name}: {exc}.", ephemeral=True, ok=False)
    except UsageError as error:
        return usage_reply(f"{name}: {error.message}", error.example)
    hint = f"@ACE Music batch seed={source.seed} confirm  (with {name} attached again)"
    source = BatchSource(source.name, None, source.seed, confirm_hint=hint)
    return await submit_plan(bot.services, caller, plan, source, confirmed=args.confirmed)


def is_external(file: dict[str, Any]) -> bool:
    """Whether a shared file is a link to a file stored elsewhere (Google Drive, Dropbox, ...):
    its `url_private` is that other host, which must never see the bot token."""
    return bool(file.get("is_external")) or file.get("mode") == "external"


def external_file_refusal(name: str) -> str:
    """The refusal of a file stored outside Slack."""
    return (
        f"{name} is a link to a file stored outside Slack, which the bot does not fetch. "
        "Download it and upload the file itself to Slack, then mention me again."
    )


async def files_of_message(bot: SlackBot, event: dict[str, Any]) -> list[dict[str, Any]]:
    """The files of the mentioning message, when the event itself did not carry them."""
    channel, ts = str(event.get("channel") or ""), str(event.get("ts") or "")
    try:
        if event.get("thread_ts"):
            found = await bot.client.conversations_replies(
                channel=channel, ts=str(event["thread_ts"]), latest=ts, oldest=ts, inclusive=True
            )
        else:
            found = await bot.client.conversations_history(
                channel=channel, latest=ts, oldest=ts, inclusive=True, limit=1
            )
    except SlackApiError as exc:
        log.warning("could not read the message %s in %s: %s", ts, channel, describe_error(exc))
        return []
    for message in found.get("messages") or []:
        if message.get("ts") == ts:
            return list(message.get("files") or [])
    return []
