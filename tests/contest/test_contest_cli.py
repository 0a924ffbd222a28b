"""`studio contest` end to end on a real instance folder: set-up, bulk import from a
folder and CSV, assignment, scoring, results with advancing, exports, backup/restore."""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from episodes.contest import Conflict, Submission, get_contest, get_round, round_submissions
from episodes.db import database_url, make_engine, make_sessionmaker, transaction
from episodes.judging import Assignment, ScoreAudit, save_review
from studio.cli import cli
from tests.contest_fixtures import make_clip

CSV_HEADER = "file,title,entrant,organisation,contact,description\n"


@pytest.fixture
def run(runner):
    """``run(*args, stdin=None)``: a `studio` command in the test's environment."""
    return lambda *args, stdin=None: runner.invoke(cli, list(args), input=stdin)


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("entries")
    for name in ("a.mp4", "b.mp4", "c.mp4"):
        make_clip(folder, name)
    (folder / "fake.mp4").write_text("<html><body>not a video</body></html>")
    return folder


@pytest.fixture
def sessions(environ, settings_catalog):
    """Sessions of the catalog the `studio contest` commands use, on each engine."""
    engine = make_engine(database_url(environ["WULING_INSTANCE_PATH"], settings_catalog))
    yield lambda: make_sessionmaker(engine)
    engine.dispose()


def _set_up(run, clips: Path) -> None:
    assert run("contest", "create", "c2026", "--title", "导办视频大赛", "--max-mb", "5",
               "--rounds", "初评,终评").exit_code == 0
    for judge in ("j1", "j2"):
        added = run("contest", "add-judge", "c2026", judge, "--password-stdin", stdin="judge secret 123\n")
        assert added.exit_code == 0, added.output
    (clips / "entries.csv").write_text(
        CSV_HEADER + "a.mp4,社保卡补办,张三,社保局,,\nb.mp4,营业执照,李四,市场监管局,,\n"
        "c.mp4,不动产登记,王五,自然资源局,,\nfake.mp4,假视频,赵六,,,\n../a.mp4,越界,钱七,,,\n",
        encoding="utf-8")


def test_bulk_import_keeps_good_rows_and_reports_each_bad_one(environ, sessions, run, clips):
    _set_up(run, clips)
    result = run("contest", "import", "c2026", str(clips), str(clips / "entries.csv"))
    assert result.exit_code == 4
    assert "3 accepted, 2 rejected" in result.output
    assert "fake.mp4: not an MP4, MOV, MKV or WebM video" in result.output
    assert "'../a.mp4': file name must be a plain name, not a path" in result.output
    assert "Traceback" not in result.output
    with transaction(sessions()) as db:
        assert db.scalar(select(func.count(Submission.id))) == 3
    stored = list((Path(environ["WULING_INSTANCE_PATH"]) / "contest-uploads" / "c2026").iterdir())
    assert len(stored) == 3 and all(p.suffix == ".video" for p in stored)


def test_bad_csv_and_bad_rubric_give_one_line_errors(run, clips, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("name,title\nx,y\n", encoding="utf-8")
    assert run("contest", "create", "c1", "--title", "t").exit_code == 0
    result = run("contest", "import", "c1", str(clips), str(bad))
    assert result.exit_code == 3 and f"{bad}: CSV lacks column(s) file, entrant" in result.output
    rubric = run("contest", "create", "c3", "--title", "t", "--criterion", "政策=60", "--criterion", "通俗=30")
    assert rubric.exit_code == 3 and "c3: criterion weights sum to 90, not 100" in rubric.output
    twice = run("contest", "create", "c4", "--title", "t", "--criterion", "政策=50", "--criterion", "政策=50")
    assert twice.exit_code == 3 and "c4: two criteria have the same name" in twice.output
    assert run("contest", "results", "nope").output.strip() == "Error: nope: no such contest"


def _score_everything(sessions, values_by_judge: dict[str, int]) -> None:
    with transaction(sessions()) as db:
        contest = get_contest(db, "c2026")
        for review in db.scalars(select(Assignment)):
            base = values_by_judge[review.judge.username]
            bonus = {"社保卡补办": 2, "营业执照": 1}.get(review.submission.title, 0)
            save_review(db, contest, review, {c.id: base + bonus for c in contest.criteria}, "", submit=True)


def test_assign_score_rank_advance_export_backup_and_restore(sessions, run, clips, tmp_path):
    _set_up(run, clips)
    run("contest", "import", "c2026", str(clips), str(clips / "entries.csv"))
    with transaction(sessions()) as db:
        first = db.scalars(select(Submission).order_by(Submission.id)).first().code
    for _ in range(2):  # declaring a conflict twice is harmless
        assert run("contest", "conflict", "c2026", "j1", first, "--reason", "同单位").exit_code == 0
    refused = run("contest", "assign", "c2026", "--judges-per-submission", "2")
    assert refused.exit_code == 3 and "has only 1 judge(s) without a conflict" in refused.output
    assigned = run("contest", "assign", "c2026", "--judges-per-submission", "1")
    assert assigned.exit_code == 0 and "3 review(s) assigned" in assigned.output
    with transaction(sessions()) as db:
        db.query(Assignment).delete()
        db.query(Conflict).delete()
    assigned = run("contest", "assign", "c2026", "--judges-per-submission", "2")
    assert assigned.exit_code == 0 and "6 review(s) assigned" in assigned.output
    _score_everything(sessions, {"j1": 5, "j2": 3})

    results = run("contest", "results", "c2026", "--advance-top", "2")
    lines = results.output.splitlines()
    # each judge scored three entries: too few to normalise, so raw means rank, and it says so
    assert lines[0].startswith("ranked by raw mean: a judge scored only 3 entries (normalising "
                               "needs at least 5 per judge")
    assert lines[2].split("\t")[2:5] == ["-", "60.00", "2"]  # 社保卡补办: (70 + 50) / 2 raw
    assert lines[2].endswith("社保卡补办\t张三") and "advanced 2" in results.output
    with transaction(sessions()) as db:
        final = get_round(get_contest(db, "c2026"), 2)
        assert sorted(s.title for s in round_submissions(db, final)) == ["社保卡补办", "营业执照"]

    out = tmp_path / "exports"
    assert run("contest", "export", "c2026", str(out)).exit_code == 0
    ranking = list(csv.reader(io.StringIO((out / "c2026-round1-ranking.csv").read_text("utf-8-sig"))))
    assert ranking[0][:3] == ["rank", "code", "title"] and ranking[1][2] == "社保卡补办"
    assert len((out / "c2026-round1-scores.csv").read_text("utf-8-sig").splitlines()) == 7
    book = load_workbook(out / "c2026-round1.xlsx")
    assert [ws.max_row for ws in book.worksheets] == [4, 7]

    backup = tmp_path / "scores-backup.sqlite3"
    assert run("contest", "backup", str(backup)).exit_code == 0
    with transaction(sessions()) as db:
        db.query(ScoreAudit).delete()
        db.query(Assignment).delete()
    assert run("contest", "restore", str(backup), "--yes").exit_code == 0
    with transaction(sessions()) as db:
        assert db.scalar(select(func.count(Assignment.id))) == 6
        assert db.scalar(select(func.count(ScoreAudit.id))) == 6
    assert run("contest", "results", "c2026").output == results.output.rsplit("advanced", 1)[0]


def test_deadline_open_close_and_level_descriptors_from_the_command_line(sessions, run):
    created = run("contest", "create", "d1", "--title", "征集", "--deadline", "2099-12-01 18：30",
                  "--criterion", "政策准确=60｜0-4：有错误；5-10：准确", "--criterion", "通俗易懂=40")
    assert created.exit_code == 0, created.output
    assert "entries close 2099-12-01 18:30 Asia/Shanghai" in created.output
    with transaction(sessions()) as db:
        contest = get_contest(db, "d1")
        assert contest.is_open and contest.deadline.replace(tzinfo=None).isoformat() == "2099-12-01T10:30:00"
        assert [c.levels for c in contest.criteria] == [[[0, 4, "有错误"], [5, 10, "准确"]], None]
    assert run("contest", "close", "d1").output == "d1 is closed for entries\n"
    with transaction(sessions()) as db:
        assert not get_contest(db, "d1").is_open
    reopened = run("contest", "open", "d1", "--deadline", "2099-12-02 09:00")
    assert reopened.output == "d1 is open for entries until 2099-12-02 09:00 Asia/Shanghai\n"
    with transaction(sessions()) as db:
        assert get_contest(db, "d1").is_open
    past = run("contest", "open", "d1", "--deadline", "2020-01-01 00:00")
    assert past.output == ("Error: --deadline '2020-01-01 00:00': is in the past: entries would be "
                           "closed from the start\n") and past.exit_code != 0
    with transaction(sessions()) as db:
        contest = get_contest(db, "d1")
        contest.is_open, contest.deadline = False, contest.deadline.replace(year=2020)  # it passed
    lapsed = run("contest", "open", "d1")
    assert lapsed.exit_code != 0 and lapsed.output.startswith(
        "Error: d1: the deadline 2020-12-02 09:00 Asia/Shanghai has passed, so the contest would stay closed")
    with transaction(sessions()) as db:
        assert not get_contest(db, "d1").is_open  # nothing changed


@pytest.mark.parametrize("args, message", [
    (("--deadline", "12月1日"), "--deadline '12月1日': is not a time like 2026-12-01 19:30"),
    (("--criterion", "政策准确=100|0-4:差;6-10:好"), "expected a level starting at 5, got 6-10"),
    (("--criterion", "政策准确=100|差"), "is not NAME=WEIGHT or NAME=WEIGHT|LOW-HIGH:MEANING"),
])
def test_a_bad_deadline_or_level_is_a_one_line_error_and_nothing_is_created(run, args, message):
    result = run("contest", "create", "bad", "--title", "t", *args)
    assert result.exit_code != 0 and message in result.output and "Traceback" not in result.output
    assert run("contest", "open", "bad").output.strip() == "Error: bad: no such contest"


def test_restore_refuses_what_is_not_a_catalog_backup(run, tmp_path):
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"definitely not sqlite" * 100)
    result = run("contest", "restore", str(junk), "--yes")
    assert result.exit_code == 3 and f"{junk}: not a SQLite database" in result.output
    missing = run("contest", "restore", str(tmp_path / "nothing.sqlite3"), "--yes")
    assert missing.exit_code == 3 and "no such backup file" in missing.output


@pytest.mark.slow
def test_precheck_command_checks_pending_submissions_once(run, clips, tmp_path):
    assert run("contest", "create", "pc", "--title", "预检").exit_code == 0
    (tmp_path / "one.csv").write_text(CSV_HEADER + "a.mp4,社保卡补办,张三,,,\n", encoding="utf-8")
    assert run("contest", "import", "pc", str(clips), str(tmp_path / "one.csv")).exit_code == 0
    first = run("contest", "precheck", "pc", "-q")
    assert first.exit_code == 0 and "1 checked, 0 failed" in first.output
    # the findings of each submission, not only the counts
    assert re.search(r"^V-\w{6}: loudness -?[\d.]+ LUFS, caption tracks 0, 0 characters of speech, "
                     r"jargon 0\.0/100 characters, plain-language score \d+$", first.output, re.M)
    assert "\n  - 未识别出讲解语音\n" in first.output
    assert "0 checked, 0 failed" in run("contest", "precheck", "pc", "-q").output


def test_backup_and_restore_on_postgresql_use_pg_dump(environ, run, postgres, tmp_path):
    environ["WULING_DATABASE_URL"] = postgres.new_database()
    assert run("contest", "create", "pg2026", "--title", "导办视频大赛").exit_code == 0
    archive = tmp_path / "catalog.dump"
    assert run("contest", "backup", str(archive)).exit_code == 0
    assert archive.read_bytes().startswith(b"PGDMP")  # pg_dump's custom format
    engine = make_engine(environ["WULING_DATABASE_URL"])
    with transaction(make_sessionmaker(engine)) as db:
        db.delete(get_contest(db, "pg2026"))
    assert run("contest", "restore", str(archive), "--yes").exit_code == 0
    with transaction(make_sessionmaker(engine)) as db:
        assert get_contest(db, "pg2026").title == "导办视频大赛"
    engine.dispose()
    junk = tmp_path / "junk.dump"
    junk.write_bytes(b"not an archive" * 100)
    refused = run("contest", "restore", str(junk), "--yes")
    assert refused.exit_code == 3 and f"{junk}: pg_restore failed:" in refused.output
