"""The `/music` form: opening it (blank, or pre-filled to refine a job) and its submission."""

import asyncio
import json
from typing import Any, Final

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.adapters.slack.context import SlackBot
from bot.adapters.slack.flow import submit
from bot.adapters.slack.modal import MODAL_CALLBACK_ID, ModalErrors, build_modal, parse_submission
from bot.engine.acestep.errors import AceStepError
from domain.records import JobRecord

MODEL_LOOKUP_S: Final = 1.0  # the trigger_id expires ~3 s after the click: never wait longer


async def open_modal(
    bot: SlackBot,
    *,
    trigger_id: str,
    channel_id: str,
    thread_ts: str | None,
    parent: JobRecord | None = None,
) -> None:
    """Open the form; with `parent`, pre-filled with that job's request (Refine…)."""
    prefill = parent.generation if parent else None
    metadata = {
        "channel": channel_id,
        "thread": thread_ts,
        "parent": parent.id if parent else None,
        "preset": prefill.preset_id if prefill else None,
        "preset_version": prefill.preset_version if prefill else None,
    }
    view = build_modal(
        models=await _model_names(bot),
        defaults=bot.services.policy.defaults,
        prefill=prefill,
        private_metadata=json.dumps(metadata),
    )
    await bot.client.views_open(trigger_id=trigger_id, view=view)


async def _model_names(bot: SlackBot) -> list[str]:
    """The models of the first server that answers quickly (cached by the engine when known)."""
    for server in bot.services.servers:
        if server.models is not None:
            return list(server.models.names)
    for server in bot.services.servers:
        try:
            models = await asyncio.wait_for(server.client.models(), MODEL_LOOKUP_S)
        except (AceStepError, TimeoutError):
            continue
        server.models = models
        return list(models.names)
    return []


def register(app: AsyncApp, bot: SlackBot) -> None:
    """Wire the form's submission."""

    async def submitted(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        try:
            request = parse_submission(view["state"]["values"])
        except ModalErrors as problems:
            await ack(response_action="errors", errors=problems.errors)
            return
        await ack()
        metadata = json.loads(view.get("private_metadata") or "{}")
        if metadata.get("preset"):
            request = request.model_copy(
                update={
                    "preset_id": metadata["preset"],
                    "preset_version": metadata.get("preset_version"),
                }
            )
        await submit(
            bot,
            request,
            user_id=str(body["user"]["id"]),
            channel_id=str(metadata.get("channel") or ""),
            thread_ts=metadata.get("thread"),
            parent_job_id=_parent_job(metadata),
        )

    app.view(MODAL_CALLBACK_ID)(bot.drained(submitted))


def _parent_job(metadata: dict[str, Any]) -> int | None:
    """The job the form refines (Refine…), from the form's private metadata."""
    parent = metadata.get("parent")
    return parent if isinstance(parent, int) else None
