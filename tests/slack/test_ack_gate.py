"""`AckGate`: a listener's work waits while other requests still wait for their acks, and work
starts in the order it was acked. (No timing is asserted: the quiet period is set to zero.)"""

import asyncio

from bot.adapters.slack.context import AckGate


async def test_work_waits_until_no_request_is_waiting_for_its_ack() -> None:
    gate = AckGate(quiet_s=0.0, limit_s=60.0)
    started: list[str] = []
    release = asyncio.Event()

    async def request_being_acked() -> None:
        async with gate.acknowledging():
            await release.wait()

    async def work(name: str) -> None:
        await gate.after_acks()
        started.append(name)

    acking = asyncio.create_task(request_being_acked())
    await asyncio.sleep(0)
    workers = [asyncio.create_task(work(name)) for name in ("first", "second", "third")]
    for _ in range(5):
        await asyncio.sleep(0)
    assert started == []  # the request in flight is acked first
    release.set()
    await asyncio.gather(acking, *workers)
    assert started == ["first", "second", "third"]


async def test_with_nothing_being_acked_work_starts_at_once() -> None:
    gate = AckGate(quiet_s=0.0, limit_s=60.0)
    await asyncio.wait_for(gate.after_acks(), timeout=5)
