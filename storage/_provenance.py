"""A track's provenance, stored once per task instead of once per track.

Each task a server ran for a job has one `task_results` row holding, in one compressed document,
the request sent (`request_sent`) and the server's result exactly as the engine kept it (`result`,
one item per file). A track points at its item (`tracks.result_index`), and its caption, lyrics,
metas, models, generation info and remote file are read from that item the same way the engine
derived them when it recorded the track (`derive`).

Nothing is lost when an item does not read back as the given provenance (a hand-made row, a future
change in how the engine derives a field): `place` then keeps that track's provenance verbatim in
the document's `extra` list and the track points there with a negative index (-1 is extra[0]).
"""

import json
import zlib
from typing import Any, Final

# The track fields read from the task's stored result (the rest are the track's own columns).
PROVENANCE_FIELDS: Final = (
    "caption",
    "lyrics",
    "metas",
    "request_sent",
    "lm_model",
    "dit_model",
    "generation_info",
    "remote_file",
)
PACK_OVER_BYTES: Final = 200  # shorter documents are stored as plain JSON
_PLAIN: Final = b"j"
_ZLIB: Final = b"z"


def pack_json(value: Any) -> bytes:
    """JSON bytes, zlib-compressed when larger than `PACK_OVER_BYTES`; the first byte says which."""
    raw = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    if len(raw) <= PACK_OVER_BYTES:
        return _PLAIN + raw
    return _ZLIB + zlib.compress(raw, 9)


def unpack_json(blob: bytes) -> Any:
    """The value `pack_json` stored."""
    kind, body = blob[:1], blob[1:]
    if kind == _ZLIB:
        body = zlib.decompress(body)
    elif kind != _PLAIN:
        raise ValueError(f"not a packed JSON document (starts with {kind!r})")
    return json.loads(body)


def task_document(
    request_sent: dict[str, Any] | None, result: list[Any] | None, extra: list[Any] | None = None
) -> dict[str, Any]:
    """What a `task_results` row stores."""
    return {"request_sent": request_sent or {}, "result": result or [], "extra": extra or []}


def derive(item: dict[str, Any], request_sent: dict[str, Any]) -> dict[str, Any]:
    """A track's provenance from its result item, as `bot.engine.jobs.collect` records it."""
    return {
        "caption": item.get("prompt") or str(request_sent.get("prompt", "")),
        "lyrics": item.get("lyrics") or str(request_sent.get("lyrics", "")),
        "metas": dict(item.get("metas") or {}),
        "request_sent": request_sent,
        "lm_model": item.get("lm_model"),
        "dit_model": item.get("dit_model"),
        "generation_info": item.get("generation_info"),
        "remote_file": item.get("file"),
    }


def provenance_at(document: dict[str, Any], index: int) -> dict[str, Any]:
    """The provenance of the track stored at `index` of a task document."""
    if index < 0:
        return dict(document["extra"][-index - 1])
    return derive(document["result"][index], document["request_sent"])


def place(document: dict[str, Any], given: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """Where `given` reads back exactly: a result item's index, else a (new) extra entry.

    Returns the document (a new one when an extra entry was added) and the index to store.
    """
    wanted = {name: given.get(name) for name in PROVENANCE_FIELDS}
    wanted["metas"] = dict(wanted["metas"] or {})
    wanted["request_sent"] = dict(wanted["request_sent"] or {})
    # JSON is what comes back from the database: compare in that form.
    wanted = json.loads(json.dumps(wanted))
    for index, item in enumerate(document["result"]):
        if isinstance(item, dict) and derive(item, document["request_sent"]) == wanted:
            return document, index
    extra = list(document["extra"])
    for position, kept in enumerate(extra):
        if kept == wanted:
            return document, -position - 1
    return {**document, "extra": [*extra, wanted]}, -len(extra) - 1
