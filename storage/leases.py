"""Named leases: at most one process at a time runs the job engine on a database."""

from collections.abc import Callable
from datetime import datetime, timedelta

from storage.database import Database
from storage.schema import Lease


async def acquire_lease(
    db: Database,
    *,
    name: str,
    holder: str,
    ttl_s: float,
    now: datetime,
    holder_is_gone: Callable[[str], bool] = lambda _holder: False,
) -> bool:
    """Take or renew the lease; True when `holder` has it until `now + ttl_s`.

    A lease held by someone else is taken over when it has expired, or at once when
    `holder_is_gone(current_holder)` says that holder no longer exists (a killed process).
    """
    async with db.session() as session:
        lease = await session.get(Lease, name)
        expires = now + timedelta(seconds=ttl_s)
        if lease is None:
            session.add(Lease(name=name, holder=holder, expires_at=expires))
            return True
        if lease.holder != holder and lease.expires_at > now and not holder_is_gone(lease.holder):
            return False
        lease.holder, lease.expires_at = holder, expires
        return True


async def release_lease(db: Database, *, name: str, holder: str) -> None:
    """Give the lease up if `holder` has it, so another process can start at once."""
    async with db.session() as session:
        lease = await session.get(Lease, name)
        if lease is not None and lease.holder == holder:
            await session.delete(lease)


async def lease_holder(db: Database, *, name: str, now: datetime) -> str | None:
    """Who holds an unexpired lease, if anyone."""
    async with db.session() as session:
        lease = await session.get(Lease, name)
        return lease.holder if lease is not None and lease.expires_at > now else None
