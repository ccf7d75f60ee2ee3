"""Slim tracks: each task's request and raw result are stored once (compressed), not per track.

New table `task_results` (one row per job and task: the request sent and the server's result
items in one packed JSON document). Jobs point at their current task's row (`result_id`, instead
of the `result` column); tracks point at their task's row and item (`source_id`,
`result_index`) instead of repeating caption, lyrics, metas, request_sent, lm_model, dit_model,
generation_info and remote_file on every row.

The job's `request` and `payload_sent` are stored packed too (JSON, zlib-compressed when large).

Existing rows are moved with the same `storage._provenance.place` the repository uses, so every
track reads back exactly what it stored before (an item that does not derive to it is kept
verbatim in the document's `extra` list). `tests/storage/test_slim_tracks_migration.py` builds rows
in the old shape and compares. The downgrade restores the old columns from the documents.

Revision ID: 0007
Revises: 0006
"""

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from storage._provenance import (
    PROVENANCE_FIELDS,
    pack_json,
    place,
    provenance_at,
    task_document,
    unpack_json,
)

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

CHUNK = 5000
JOBS_PER_STEP = 5000
OLD_TRACK_TYPES: dict[str, Any] = {
    "caption": sa.Text,
    "lyrics": sa.Text,
    "metas": sa.JSON,
    "request_sent": sa.JSON,
    "lm_model": lambda: sa.String(length=255),
    "dit_model": lambda: sa.String(length=255),
    "generation_info": sa.Text,
    "remote_file": sa.Text,
}
NOT_NULL_BEFORE = ("caption", "lyrics", "metas", "request_sent")
PACKED_JOB_COLUMNS = ("request", "payload_sent")


def upgrade() -> None:
    op.create_table(
        "task_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("document", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("job_id", "task_id", name="uq_task_results_job_task"),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("result_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("tracks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("result_index", sa.Integer(), nullable=True))
    bind = op.get_bind()
    typed = _typed_columns(bind)
    if typed:  # the packed bytes need a bytea column before they are written
        _pack_job_columns_type()

    _move_rows(bind)

    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_foreign_key(
            "fk_jobs_result", "task_results", ["result_id"], ["id"], use_alter=True
        )
        batch_op.drop_column("result")
    if not typed:
        _pack_job_columns_type()
    with op.batch_alter_table("tracks", schema=None) as batch_op:
        batch_op.alter_column("source_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("result_index", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(
            "fk_tracks_source_id_task_results", "task_results", ["source_id"], ["id"]
        )
        for name in OLD_TRACK_TYPES:
            batch_op.drop_column(name)


def _typed_columns(bind: sa.Connection) -> bool:
    """True where a column only holds values of its declared type (PostgreSQL): there JSON is
    not bytes, so columns change type before their values are recoded, and the change says how
    to convert (SQLite stores any value in any column and converts nothing)."""
    return bind.dialect.name != "sqlite"


def _pack_job_columns_type() -> None:
    """The jobs' request and payload_sent become bytes (the JSON text, UTF-8, until recoded)."""
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        for name in PACKED_JOB_COLUMNS:
            batch_op.alter_column(
                name,
                existing_type=sa.JSON(),
                type_=sa.LargeBinary(),
                postgresql_using=f"convert_to({name}::text, 'UTF8')",
            )


def _move_rows(bind: sa.Connection) -> None:
    """Every job's result and every track's provenance into task documents, a range of job ids
    at a time (memory stays small however large the database is)."""
    top = bind.execute(sa.text("SELECT max(id) FROM jobs")).scalar() or 0
    for low in range(0, top + 1, JOBS_PER_STEP):
        _move_range(bind, low, low + JOBS_PER_STEP)


def _move_range(bind: sa.Connection, low: int, high: int) -> None:
    """Jobs with ids in [low, high) and their tracks."""
    now = datetime.now(UTC).replace(tzinfo=None)
    within = {"low": low, "high": high}
    documents: dict[tuple[int, str], dict[str, Any]] = {}
    job_task: dict[int, str] = {}
    for job_id, task_id, payload, result in bind.execute(
        sa.text(
            "SELECT id, task_id, payload_sent, result FROM jobs "
            "WHERE result IS NOT NULL AND id >= :low AND id < :high"
        ),
        within,
    ):
        key = (job_id, task_id or "")
        documents[key] = task_document(_json(payload), _json(result))
        job_task[job_id] = key[1]
    placed: list[tuple[int, tuple[int, str], int]] = []
    columns = ", ".join(OLD_TRACK_TYPES)
    for row in bind.execute(
        sa.text(
            f"SELECT id, job_id, task_id, {columns} FROM tracks "
            "WHERE job_id >= :low AND job_id < :high"
        ),
        within,
    ):
        track_id, job_id, task_id, *values = row
        given = dict(zip(PROVENANCE_FIELDS, _provenance_values(values), strict=True))
        key = (job_id, task_id)
        document = documents.get(key) or task_document(given["request_sent"], None)
        documents[key], index = place(document, given)
        placed.append((track_id, key, index))
    ids = _insert_documents(bind, documents, now, within)
    _recode_jobs(bind, lambda value: None if value is None else pack_json(_json(value)), within)
    for chunk in _chunks([{"r": ids[(j, t)], "j": j} for j, t in job_task.items()]):
        bind.execute(sa.text("UPDATE jobs SET result_id = :r WHERE id = :j"), chunk)
    rows = [{"s": ids[key], "i": index, "t": track_id} for track_id, key, index in placed]
    for chunk in _chunks(rows):
        bind.execute(
            sa.text("UPDATE tracks SET source_id = :s, result_index = :i WHERE id = :t"), chunk
        )


def _recode_jobs(
    bind: sa.Connection, recode: Callable[[Any], Any], within: dict[str, int] | None = None
) -> None:
    """Rewrite the jobs' request and payload_sent (JSON text <-> packed bytes)."""
    names = ", ".join(PACKED_JOB_COLUMNS)
    where = " WHERE id >= :low AND id < :high" if within else ""
    rows = []
    for job_id, *values in bind.execute(
        sa.text(f"SELECT id, {names} FROM jobs{where}"), within or {}
    ):
        recoded = zip(PACKED_JOB_COLUMNS, map(recode, values), strict=True)
        rows.append({"id": job_id, **dict(recoded)})
    assignments = ", ".join(f"{name} = :{name}" for name in PACKED_JOB_COLUMNS)
    for chunk in _chunks(rows):
        bind.execute(sa.text(f"UPDATE jobs SET {assignments} WHERE id = :id"), chunk)


def _provenance_values(values: list[Any]) -> list[Any]:
    """The old columns as the repository returned them (JSON columns decoded)."""
    named = dict(zip(OLD_TRACK_TYPES, values, strict=True))
    named["metas"] = _json(named["metas"]) or {}
    named["request_sent"] = _json(named["request_sent"]) or {}
    return [named[name] for name in PROVENANCE_FIELDS]


def _insert_documents(
    bind: sa.Connection,
    documents: dict[tuple[int, str], dict[str, Any]],
    now: datetime,
    within: dict[str, int],
) -> dict[tuple[int, str], int]:
    rows = [
        {"j": job_id, "t": task_id, "c": now, "d": pack_json(document)}
        for (job_id, task_id), document in documents.items()
    ]
    for chunk in _chunks(rows):
        bind.execute(
            sa.text(
                "INSERT INTO task_results (job_id, task_id, created_at, document) "
                "VALUES (:j, :t, :c, :d)"
            ),
            chunk,
        )
    found = bind.execute(
        sa.text(
            "SELECT id, job_id, task_id FROM task_results WHERE job_id >= :low AND job_id < :high"
        ),
        within,
    )
    return {(job_id, task_id): row_id for row_id, job_id, task_id in found}


def _json_text(packed: bytes) -> str:
    return json.dumps(unpack_json(packed))


def _unpack_job_columns_type() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        for name in PACKED_JOB_COLUMNS:
            batch_op.alter_column(
                name,
                existing_type=sa.LargeBinary(),
                type_=sa.JSON(),
                postgresql_using=f"convert_from({name}, 'UTF8')::json",
            )


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


def _chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


def downgrade() -> None:
    bind = op.get_bind()
    typed = _typed_columns(bind)
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("result", sa.JSON(), nullable=True))
    if not typed:
        _unpack_job_columns_type()
    with op.batch_alter_table("tracks", schema=None) as batch_op:
        for name, kind in OLD_TRACK_TYPES.items():
            batch_op.add_column(sa.Column(name, kind(), nullable=True))
    if typed:  # JSON text as bytes while the column is still bytea, then the type changes
        _recode_jobs(bind, lambda value: None if value is None else _json_text(value).encode())
        _unpack_job_columns_type()
    else:
        _recode_jobs(bind, lambda value: None if value is None else _json_text(value))
    documents = {
        row_id: unpack_json(blob)
        for row_id, blob in bind.execute(sa.text("SELECT id, document FROM task_results"))
    }
    for job_id, result_id in bind.execute(
        sa.text("SELECT id, result_id FROM jobs WHERE result_id IS NOT NULL")
    ):
        result = json.dumps(documents[result_id]["result"])
        update = sa.text("UPDATE jobs SET result = :r WHERE id = :j")
        bind.execute(update, {"r": result, "j": job_id})
    assignments = ", ".join(f"{name} = :{name}" for name in PROVENANCE_FIELDS)
    for track_id, source_id, index in bind.execute(
        sa.text("SELECT id, source_id, result_index FROM tracks")
    ):
        values = provenance_at(documents[source_id], index)
        values["metas"] = json.dumps(values["metas"])
        values["request_sent"] = json.dumps(values["request_sent"])
        bind.execute(
            sa.text(f"UPDATE tracks SET {assignments} WHERE id = :id"), {**values, "id": track_id}
        )
    with op.batch_alter_table("tracks", schema=None) as batch_op:
        batch_op.drop_constraint("fk_tracks_source_id_task_results", type_="foreignkey")
        batch_op.drop_column("result_index")
        batch_op.drop_column("source_id")
        for name in NOT_NULL_BEFORE:
            batch_op.alter_column(name, existing_type=OLD_TRACK_TYPES[name](), nullable=False)
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_constraint("fk_jobs_result", type_="foreignkey")
        batch_op.drop_column("result_id")
    op.drop_table("task_results")
