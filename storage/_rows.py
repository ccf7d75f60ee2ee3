"""Reading and changing one row by its primary key, as a record: shared by the repositories."""

from typing import Any, TypeVar

from storage._convert import to_record
from storage.database import Database
from storage.schema import Base

RecordT = TypeVar("RecordT")


async def get_row(
    db: Database, model: type[Base], key: object, record_type: type[RecordT]
) -> RecordT | None:
    """The row with primary key `key` as a record, or None."""
    async with db.session() as session:
        row = await session.get(model, key)
        return None if row is None else to_record(row, record_type)


async def update_row(
    db: Database, model: type[Base], key: object, record_type: type[RecordT], **changes: Any
) -> RecordT | None:
    """Set some columns of the row with primary key `key`; the changed record, or None."""
    async with db.session() as session:
        row = await session.get(model, key)
        if row is None:
            return None
        for name, value in changes.items():
            if not hasattr(model, name):
                raise AttributeError(f"{model.__tablename__} has no column {name!r}")
            setattr(row, name, value)
        await session.flush()
        return to_record(row, record_type)
