"""`/query_result` parsing: each row of ACESTEP_API.md §5.2, §5.3's cut-off, §11's PyPI shapes."""

import json

import pytest

from bot.engine.acestep.errors import AceStepMalformedReply, AceStepServerError
from bot.engine.acestep.results import ResultItem
from bot.engine.acestep.wire import TaskPhase, TaskState, parse_query_results

from .shapes import AUDIO_DIR, TRACEBACK, Shapes


def parse_one(entry: dict[str, object]) -> TaskState:
    (state,) = parse_query_results(Shapes.wrap([entry]), server="gpu-1")
    return state


def test_unknown_id_is_its_own_phase() -> None:
    state = parse_one(Shapes.unknown("t-lost"))
    assert state.phase is TaskPhase.UNKNOWN
    assert state.items == []
    assert state.error_summary is not None
    assert "does not know" in state.error_summary


def test_queued() -> None:
    entry = Shapes.entry("t1", 0, [Shapes.queued_item()], progress_text="Loading model...")
    state = parse_one(entry)
    assert state.phase is TaskPhase.IN_PROGRESS
    assert (state.progress, state.stage) == (0.0, "queued")
    assert state.files == []
    assert state.error_summary is None
    assert not state.is_terminal


def test_running() -> None:
    state = parse_one(Shapes.entry("t1", 0, [Shapes.running_item(0.52)], progress_text="x"))
    assert state.phase is TaskPhase.IN_PROGRESS
    assert state.progress == 0.52
    assert state.stage == "Generating music (batch size: 2)..."


def test_succeeded_with_two_files() -> None:
    state = parse_one(Shapes.entry("t1", 1, Shapes.succeeded_items("a1.mp3", "b2.mp3")))
    assert state.phase is TaskPhase.SUCCEEDED
    assert state.is_terminal
    assert [item.file for item in state.files] == [
        Shapes.audio_url("a1.mp3"),
        Shapes.audio_url("b2.mp3"),
    ]
    assert state.files[0].file.startswith("/v1/audio?path=%2Froot%2F")
    first = state.files[0]
    assert (first.metas_bpm(), first.metas_duration()) == (120, 30.0)
    assert (first.metas_key_scale(), first.metas_time_signature()) == ("C major", "4")
    assert first.metas_genres() is None  # "N/A"
    assert first.seeds() == (780017953, 2893164911)
    assert (first.lm_model, first.dit_model) == ("acestep-5Hz-lm-0.6B", "acestep-v15-turbo")
    assert first.generation_info is not None
    assert first.create_time == 1_770_000_000
    assert first.file_extension() == ".mp3"
    assert (state.progress, state.stage, state.error_summary) == (1.0, "succeeded", None)


def test_succeeded_with_zero_files() -> None:
    state = parse_one(Shapes.entry("t1", 1, Shapes.succeeded_items()))
    assert state.phase is TaskPhase.SUCCEEDED
    assert len(state.items) == 1
    assert state.files == []
    assert state.error_summary is not None
    assert "no audio" in state.error_summary


def test_failed_from_the_cache_has_no_reason() -> None:
    state = parse_one(Shapes.entry("t1", 2, [Shapes.failed_cache_item()], progress_text="boom"))
    assert state.phase is TaskPhase.FAILED
    assert state.is_terminal
    assert state.error_summary is not None
    assert "no reason" in state.error_summary
    assert state.error_detail is None
    assert "boom" not in state.error_summary  # progress_text is a global log tail


def test_failed_with_traceback_keeps_it_for_logs_and_summarises_for_people() -> None:
    item = Shapes.queued_item(stage="failed", progress=0.3, error=TRACEBACK, status=2)
    state = parse_one(Shapes.entry("t1", 2, [item], progress_text="Traceback ..."))
    assert state.phase is TaskPhase.FAILED
    assert state.error_detail == TRACEBACK
    summary = state.error_summary
    assert summary is not None
    assert summary.startswith("generation failed: torch.OutOfMemoryError: CUDA out of memory")
    assert "/root" not in summary
    assert "\n" not in summary
    assert len(summary) < 250


def test_succeeded_from_the_store_only() -> None:
    state = parse_one(Shapes.entry("t1", 1, Shapes.store_succeeded_items("x.flac", "y.flac")))
    assert state.phase is TaskPhase.SUCCEEDED
    assert len(state.files) == 2
    item = state.files[1]
    assert item.prompt == ""
    assert (item.metas_bpm(), item.metas_duration(), item.metas_time_signature()) == (96, 60.0, "3")
    assert (item.seed, item.seeds(), item.progress, item.stage) == (None, (), None, None)
    assert item.file_extension() == ".flac"
    assert (state.progress, state.stage) == (None, None)


def test_cutoff_is_maybe_still_running_not_failed() -> None:
    # >1 h after creation a cached status-0 item is reported as status 2 without progress_text.
    state = parse_one(Shapes.entry("t1", 2, [Shapes.running_item(0.9)]))
    assert state.phase is TaskPhase.CUTOFF
    assert not state.is_terminal
    assert state.progress == 0.9
    assert state.error_summary is not None
    assert "may still" in state.error_summary


def test_empty_cached_result_with_status_2_is_a_failure() -> None:
    state = parse_one({"task_id": "t1", "result": "[]", "status": 2})
    assert state.phase is TaskPhase.FAILED


def test_pypi_shapes() -> None:
    running = Shapes.queued_item()
    for key in ("progress", "stage", "error"):
        del running[key]
    states = parse_query_results(
        Shapes.wrap(
            [
                Shapes.entry("run", 0, [running]),
                Shapes.entry("bad", 2, [Shapes.pypi_failed_item()]),
            ]
        )
    )
    assert [s.phase for s in states] == [TaskPhase.IN_PROGRESS, TaskPhase.FAILED]
    assert states[0].progress is None
    assert states[1].error_summary is not None


def test_no_lm_metas_are_na() -> None:
    items = Shapes.succeeded_items("a.wav", bpm="N/A")
    items[0]["metas"] = {"bpm": "N/A", "duration": "N/A", "keyscale": "", "timesignature": "N/A"}
    item = parse_one(Shapes.entry("t1", 1, items)).files[0]
    assert item.metas_bpm() is None
    assert item.metas_duration() is None
    assert item.metas_key_scale() is None
    assert item.metas_time_signature() is None


@pytest.mark.parametrize(
    ("raw", "bpm"),
    [(120, 120), (119.6, 120), ("124", 124), ("95.0", 95), ("N/A", None), (True, None), (0, None)],
)
def test_loose_bpm(raw: object, bpm: int | None) -> None:
    assert ResultItem(metas={"bpm": raw}).metas_bpm() == bpm


def test_order_is_the_reply_order_and_bare_data_list_is_accepted() -> None:
    data = [Shapes.unknown("b"), Shapes.entry("a", 0, [Shapes.queued_item()])]
    assert [s.task_id for s in parse_query_results(data)] == ["b", "a"]


def test_result_may_already_be_decoded() -> None:
    state = parse_one({"task_id": "t1", "status": 0, "result": [Shapes.queued_item()]})
    assert state.phase is TaskPhase.IN_PROGRESS


@pytest.mark.parametrize(
    ("entry", "complaint"),
    [
        ({"task_id": "t1", "status": 1, "result": "[{not json"}, "not JSON"),
        ({"task_id": "t1", "status": 1, "result": '{"file": "x"}'}, "not a list"),
        ({"task_id": "t1", "status": 7, "result": "[]"}, "status 7"),
        ({"task_id": "t1", "status": True, "result": "[]"}, "status"),
        ({"task_id": "t1", "status": 1}, "result"),
        ({"status": 1, "result": "[]"}, "task_id"),
        ({"task_id": "t1", "status": 1, "result": "[42]"}, "result item"),
        ({"task_id": "t1", "status": 1, "result": '[{"progress": "lots"}]'}, "progress"),
        ("t1", "task entry"),
    ],
)
def test_malformed_entries(entry: object, complaint: str) -> None:
    with pytest.raises(AceStepMalformedReply, match=complaint) as caught:
        parse_query_results(Shapes.wrap([entry]), server="gpu-1")
    message = str(caught.value)
    assert message.startswith("ACE-Step gpu-1: unreadable reply")
    assert "POST /query_result" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    "body",
    [
        {"data": {"task_id": "t1"}, "code": 200},
        {"detail": "Not Found"},
        {"task_id_list": []},
        "[]",
        None,
    ],
)
def test_malformed_bodies(body: object) -> None:
    with pytest.raises(AceStepMalformedReply):
        parse_query_results(body)


def test_wrapper_code_other_than_200_is_a_server_error() -> None:
    with pytest.raises(AceStepServerError, match="boom"):
        parse_query_results(Shapes.wrap(None, code=500, error="boom"))


def test_malformed_message_quotes_a_truncated_body() -> None:
    long_items = json.dumps([{"file": AUDIO_DIR * 50, "progress": "?"}])
    with pytest.raises(AceStepMalformedReply) as caught:
        parse_query_results(Shapes.wrap([{"task_id": "t", "status": 1, "result": long_items}]))
    assert "reply starts:" in str(caught.value)
    assert len(str(caught.value)) < 500
