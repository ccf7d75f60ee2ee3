"""Answering `/query_result` for one id, in upstream's lookup order (ACESTEP_API.md §5).

The result cache answers first (running, succeeded and failed jobs); an in-progress cache entry
older than the cut-off reads status 2 while the job may still finish. Then the job store answers
(queued jobs, and phantom records). Anything else is an unknown id: status 0 with `"[]"`.
"""

import json
import time

from standin.errors import ServerFault
from standin.runtime import Runtime
from standin.shapes import Item, query_entry, store_item
from standin.store import WIRE_STATUS


def task_ids(value: object) -> list[object]:
    """`task_id_list` as a list or a JSON string; unparseable reads as empty."""
    if isinstance(value, list):
        return value
    try:
        decoded = json.loads(value)  # type: ignore[arg-type]  # non-strings fail like upstream
    except (TypeError, ValueError):
        return []
    if isinstance(decoded, list | str | dict):
        return list(decoded)
    raise ServerFault("task_id_list is not a list")


def lookup(task_id: object, runtime: Runtime) -> Item:
    """The `/query_result` entry for one id."""
    if isinstance(task_id, dict | list):
        raise ServerFault("task id is not hashable")
    cached = runtime.shared.cache.get(str(task_id))
    if cached is not None:
        return _from_cache(task_id, cached, runtime)
    record = runtime.store.get(task_id) if isinstance(task_id, str) else None
    if record is None:
        return query_entry(task_id, 0, "[]", None)
    flavour = runtime.shared.config.flavour
    result = json.dumps([store_item(record, flavour)], ensure_ascii=False)
    return query_entry(task_id, WIRE_STATUS[record.state], result, _log_tail(runtime))


def _from_cache(task_id: object, cached: str, runtime: Runtime) -> Item:
    items = json.loads(cached)
    if not items:
        return query_entry(task_id, 2, cached, None)
    first = items[0]
    status, created = first.get("status"), first.get("create_time", 0)
    if status == 0 and time.time() - created > runtime.shared.config.job_cutoff_s:
        return query_entry(task_id, 2, cached, None)
    wire_status = 1 if status is None else int(status)
    return query_entry(task_id, wire_status, cached, _log_tail(runtime))


def _log_tail(runtime: Runtime) -> str | None:
    """`progress_text`: the server's last log line (HEAD only), not this job's progress."""
    return runtime.last_log if runtime.shared.config.flavour == "head" else None
