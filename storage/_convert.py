"""Row -> record conversion shared by the repository modules."""

from dataclasses import fields
from typing import Any, TypeVar

from storage.schema import Base

RecordT = TypeVar("RecordT")


def to_record(row: Base, record_type: type[RecordT], **overrides: Any) -> RecordT:
    """Copy the columns a record declares from an ORM row into a new record."""
    values: dict[str, Any] = {
        f.name: getattr(row, f.name)
        for f in fields(record_type)  # type: ignore[arg-type]
    }
    return record_type(**(values | overrides))
