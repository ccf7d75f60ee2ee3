"""Delivery files made on approval: the catalogue folder follows the approved tracks.

Every engine process runs `run_delivery_keeper` (like batch settling and pair sealing). It watches
a cheap mark of the approved set (`storage.approvals.approved_stamp`: how many, and the newest
approval time) and, when the mark moved, runs the default export (approved tracks into
`CATALOGUE_DIR`, else `OUTPUT_DIR/catalogue`). The export is incremental: files already delivered
with the same settings are left alone, so a pass after one approval renders one file and rewrites
the manifest. A pass that fails (full disk, unwritable folder) is logged with its reason and tried
again on the next mark change or after `RETRY_AFTER_FAILURE_S`.
"""

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Final, Protocol

from bot.engine.catalogue.export import CatalogueExporter
from bot.waiting import nap
from domain.catalogue import ExportError, ExportFilter, ExportResult
from storage import approvals as approvals_repo
from storage.database import Database

log = logging.getLogger(__name__)

LOOK_EVERY_S: Final = 10.0  # how often the approved set's mark is read (one small query)
RETRY_AFTER_FAILURE_S: Final = 300.0


class DeliveryServices(Protocol):
    """What the keeper needs of the composition root."""

    @property
    def db(self) -> Database: ...

    @property
    def catalogue(self) -> CatalogueExporter: ...


class DeliveryKeeper:
    """Runs the default export whenever the approved set changed since the last good pass."""

    def __init__(
        self, services: DeliveryServices, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.services = services
        self.clock = clock
        self._done: tuple[int, datetime | None] | None = None  # the mark of the last good pass
        self._failed: tuple[tuple[int, datetime | None], float] | None = None  # mark, loop time

    async def pass_once(self) -> ExportResult | None:
        """Deliver what is newly approved; None when nothing changed (or the pass failed)."""
        mark = await approvals_repo.approved_stamp(self.services.db)
        if mark == self._done or mark[0] == 0:
            self._done = mark
            return None
        now = self.clock()
        if self._failed is not None:
            failed_mark, failed_at = self._failed
            if mark == failed_mark and now - failed_at < RETRY_AFTER_FAILURE_S:
                return None
        try:
            result = await self.services.catalogue.export(ExportFilter())
        except ExportError as exc:
            self._failed = (mark, now)
            log.warning("delivery files for approved tracks not written: %s", exc)
            return None
        self._failed = None
        self._done = mark
        if result.written:
            log.info("delivered %d approved track(s) into %s", len(result.written), result.folder)
        return result


async def run_delivery_keeper(services: DeliveryServices, stop: asyncio.Event) -> None:
    """Keep the catalogue folder's delivery files up with the approved tracks until `stop`."""
    keeper = DeliveryKeeper(services)
    never = asyncio.Event()
    while not stop.is_set():
        try:
            await keeper.pass_once()
        except Exception:  # a bad pass must not stop the keeper; the next one retries
            log.exception("making delivery files for approved tracks failed; trying again")
        await nap(never, stop, LOOK_EVERY_S)
