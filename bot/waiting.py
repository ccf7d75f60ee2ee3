"""The one way the bot's loops sleep: until woken, told to stop, or a timeout passes."""

import asyncio


async def nap(wake: asyncio.Event, stop: asyncio.Event, timeout_s: float) -> None:
    """Return when `wake` or `stop` is set, or after `timeout_s`; `wake` is cleared after."""
    waiters = [asyncio.ensure_future(wake.wait()), asyncio.ensure_future(stop.wait())]
    try:
        await asyncio.wait(waiters, timeout=timeout_s, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
        wake.clear()
