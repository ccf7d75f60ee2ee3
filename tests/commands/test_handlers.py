"""Every verb through the one command path (`commands.router.handle`), on the real services."""

from bot.services import Services
from commands.context import Caller
from commands.replies import Reply
from commands.router import REGISTRY, handle

CALLER = Caller("test", user_id="U1")


async def say(services: Services, text: str) -> Reply:
    return await handle(text, services, CALLER)


async def test_generation_reply_says_what_was_understood_and_queues_a_job(
    services: Services,
) -> None:
    reply = await say(services, "/music hotel lobby jazz 3min x1")
    assert reply.ok
    assert reply.title == "Job #1 queued."
    fields = dict(reply.fields)
    assert fields["Preset"] == "hotel-lobby"
    assert fields["Duration"] == "3:00"
    assert fields["Variants"] == "1"
    assert fields["Caption"].startswith("jazz")
    assert reply.job_ids == (1,)
    assert any("PLACEHOLDER" in line for line in reply.lines)
    assert "next in line" in reply.text


async def test_usage_errors_are_specific_private_and_come_with_an_example(
    services: Services,
) -> None:
    empty = await say(services, "/music")
    assert not empty.ok
    assert empty.ephemeral
    assert empty.example
    too_long = await say(services, "/music spa ambient 20min")
    assert not too_long.ok
    assert "20min" in too_long.text
    assert too_long.example is not None
    assert "/music" in too_long.example


async def test_unknown_model_is_refused_before_queueing(services: Services) -> None:
    reply = await say(services, "/music spa ambient model=nonexistent")
    assert not reply.ok
    assert "acemusic-placeholder-turbo" in reply.text
    assert (await say(services, "jobs")).text == "No jobs yet."  # nothing was queued


async def test_status_reports_the_queue_and_each_server(services: Services) -> None:
    await say(services, "/music cafe 1min")
    reply = await say(services, "status")
    fields = dict(reply.fields)
    assert fields["Queued"] == "1"
    assert reply.text == "1 of 1 ACE-Step server(s) answering."
    [server_line] = reply.lines
    assert server_line.startswith("builtin (built-in stand-in: placeholder audio): ok")
    assert "acemusic-placeholder-turbo" in server_line


async def test_cancel_understands_job_numbers_and_says_why_not(services: Services) -> None:
    queued = await say(services, "/music cafe 1min")
    assert (await say(services, f"cancel #{queued.job_ids[0]}")).text == "Job #1 cancelled."
    again = await say(services, "cancel 1")
    assert not again.ok
    assert "already finished (cancelled)" in again.text
    assert not (await say(services, "cancel 42")).ok
    bad = await say(services, "cancel soon")
    assert not bad.ok
    assert bad.example == "/music cancel 12"


async def test_help_lists_every_command_from_its_docstring(services: Services) -> None:
    reply = await say(services, "help")
    assert reply.ephemeral
    assert len(reply.lines) == len(REGISTRY.commands) + 1
    assert reply.lines[0].startswith("/music <what to make>")
    for command in REGISTRY.commands:
        assert f"/music {command.help_line}" in reply.lines


async def test_presets_jobs_and_tracks_list_what_exists(services: Services) -> None:
    presets = await say(services, "presets")
    assert len(presets.lines) == len(services.presets)
    assert any(line.startswith("spa —") for line in presets.lines)
    made = await say(services, "/music spa 10s x2 wav")
    await services.engine.run_until_idle(made.job_ids)
    jobs = await say(services, "jobs")
    assert jobs.lines[0].startswith("#1 done — spa · 0:10 x2")
    tracks = await say(services, "tracks")
    assert len(tracks.lines) == 2
    assert all("[placeholder]" in line for line in tracks.lines)


async def test_tracks_of_one_batch_and_a_clear_answer_for_other_words(services: Services) -> None:
    caller = Caller("cli")
    started = await handle("batch spa x2 10s wav", services, caller)
    assert started.batch_id == 1
    alone = await say(services, "/music spa 10s x1 wav")
    await services.engine.run_until_idle(alone.job_ids)
    await services.engine.run_until_idle()
    of_batch = await handle("tracks batch=1", services, caller)
    assert of_batch.title == "Recent tracks of batch #1"
    assert len(of_batch.lines) == 2  # not the track made outside the batch
    assert len((await handle("tracks", services, caller)).lines) == 3
    assert (await handle("tracks batch=9", services, caller)).text == "No tracks of batch #9 yet."
    wrong = await handle("tracks mine please", services, caller)
    assert not wrong.ok
    assert "tracks batch=12" in wrong.text


async def test_sample_of_a_terminal_batch_is_refused_with_where_its_tracks_are(
    services: Services,
) -> None:
    caller = Caller("cli")
    await handle("batch spa x2 10s wav", services, caller)
    await services.engine.run_until_idle()
    reply = await handle("batch 1 sample 2", services, caller)
    assert not reply.ok
    assert "not started in Slack" in reply.text
    assert "acemusic tracks --batch 1" in reply.text
