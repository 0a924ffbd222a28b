"""`studio glossary …` end to end, through the real CLI and real files under tmp_path."""
from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from glossary import load_default
from glossary.io import dumps
from glossary.termbase import Glossary, Term
from studio.cli import cli

HEADER = "term,plain,explanation,category,variants,status,mode\n"


@pytest.fixture
def run(runner):
    """``run(*args)``: `studio glossary ARGS` in the test's environment (the shipped term base)."""
    return lambda *args: runner.invoke(cli, ["glossary", *map(str, args)])


def test_validate_the_shipped_glossary(run):
    result = run("validate")
    assert result.exit_code == 0
    shipped = len(load_default().all_terms)  # drafts too; the term base grows
    assert f"shipped glossary: {shipped} term(s), 0 error(s)" in result.output


def test_validate_reports_lines_and_exits_4(run, tmp_path):
    path = tmp_path / "office.csv"
    path.write_text(HEADER + "容缺受理,收件后补材料,说明。,,,,\n容缺受理,,说明。,,,,\n", encoding="utf-8")
    result = run("validate", path)
    assert result.exit_code == 4
    assert f"{path}:3: error: empty plain wording for 容缺受理" in result.output
    assert f"{path}:3: error: duplicate '容缺受理', already defined at {path}:2" in result.output


def test_export_add_import_list(run, tmp_path):
    office = tmp_path / "office.csv"
    assert run("export", "-o", office).exit_code == 0
    assert office.read_bytes().startswith(b"\xef\xbb\xbfterm,plain")
    result = run("add", "一窗通办", "一个窗口全办", "--explanation", "所有事在一个窗口办。",
                 "--category", "政务服务", "--variants", "一窗受理|一窗式办理", "--to", office)
    assert result.exit_code == 0, result.output
    extra = tmp_path / "extra.csv"
    extra.write_text(HEADER + "容缺受理,缺件也先收,说明。,政务服务,,,\n", encoding="utf-8")
    assert run("import", extra, "--to", office).exit_code == 0
    listed = json.loads(run("list", "--glossary", office, "--category", "政务服务", "--json").output)
    by_term = {t["term"]: t for t in listed}
    assert by_term["一窗通办"]["variants"] == ["一窗受理", "一窗式办理"]
    assert by_term["容缺受理"]["plain"] == "缺件也先收"
    added = 1  # 一窗通办; 容缺受理 was replaced
    assert len(run("list", "--glossary", office).output.splitlines()) == len(load_default().all_terms) + added


def test_a_bad_addition_writes_nothing(run, tmp_path):
    office = tmp_path / "office.csv"
    office.write_text(HEADER + "容缺受理,收件后补材料,说明。,,,,\n", encoding="utf-8")
    before = office.read_bytes()
    result = run("add", "收件", "容缺受理", "--to", office)
    assert result.exit_code == 3
    assert "rewriting would loop" in result.output and "Traceback" not in result.output
    assert office.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["office.csv"]


FORMULAS = {"term": '=HYPERLINK("http://evil.example","社保卡")', "plain": "+1+1",
            "explanation": "-2+3", "category": "@SUM(A1)", "variants": "=cmd|' /C calc'!A0"}


@pytest.mark.parametrize("column", FORMULAS)
def test_import_refuses_a_cell_a_spreadsheet_would_run_as_a_formula(run, tmp_path, column):
    office = tmp_path / "office.csv"
    office.write_text(HEADER + "容缺受理,收件后补材料,说明。,,,,\n", encoding="utf-8")
    before = office.read_bytes()
    row = {"term": "一窗通办", "plain": "一个窗口全办", "explanation": "说明。", "category": "",
           "variants": "", column: FORMULAS[column]}
    extra = tmp_path / "extra.csv"
    with open(extra, "w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows([HEADER.strip().split(","), ["居住证", "暂住证明", "说明。"],
                                   list(row.values())])
    result = run("import", extra, "--to", office)
    assert result.exit_code == 3
    assert result.output.startswith(f"Error: {extra}:3: {column} {FORMULAS[column]!r} starts with "
                                    f"{FORMULAS[column][0]!r}, which a spreadsheet runs as a formula")
    assert len(result.output.strip().splitlines()) == 1 and office.read_bytes() == before


def test_add_refuses_a_formula_too(run, tmp_path):
    office = tmp_path / "office.csv"
    office.write_text(HEADER + "容缺受理,收件后补材料,说明。,,,,\n", encoding="utf-8")
    before = office.read_bytes()
    result = run("add", "一窗通办", "=1+1", "--category", "@SUM(A1)", "--to", office)
    assert result.exit_code == 3 and office.read_bytes() == before
    assert result.output == "Error: plain '=1+1' starts with '=', which a spreadsheet runs as a " \
                            "formula; remove it\n"


def test_export_quotes_cells_a_spreadsheet_would_run_as_formulas():
    exported = dumps(Glossary((Term("=HYPERLINK(1)", "+1", "-2", "@SUM(A1)"),)))
    assert exported.splitlines()[1] == "'=HYPERLINK(1),'+1,'-2,'@SUM(A1),,preferred,replace"


@pytest.mark.parametrize("args, message", [
    (("add", "一窗通办", "一个窗口全办"), "the shipped glossary is read-only; pass --to FILE.csv"),
    (("check", "{tmp}/nothing.srt"), "{tmp}/nothing.srt: no such subtitle file"),
    (("check", "{tmp}/notes.docx"), "{tmp}/notes.docx: cannot check .docx"),
    (("check", "{tmp}/gbk.txt"), "{tmp}/gbk.txt: not UTF-8 (byte 0), looks like GBK"),
    (("list", "--glossary", "{tmp}/gbk.txt"), "{tmp}/gbk.txt: not UTF-8 (byte 0), looks like GBK"),
    (("list", "--glossary", "{tmp}"), "{tmp}: folder holds no .csv term base"),
    (("import", "{tmp}/missing.csv", "--to", "{tmp}/office.csv"), "{tmp}/missing.csv: no such term base"),
])
def test_bad_inputs_give_one_line(run, tmp_path, args, message):
    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04")
    (tmp_path / "gbk.txt").write_bytes("容缺受理".encode("gbk"))
    result = run(*(a.format(tmp=tmp_path) for a in args))
    assert result.exit_code == 3
    assert result.output.startswith("Error: " + message.format(tmp=tmp_path))
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output


def test_check_a_subtitle_file_as_a_real_process(shared_media, tmp_path):
    srt = shared_media / "talk_law_enforcement.srt"
    studio = Path(sys.executable).parent / "studio"
    done = subprocess.run([str(studio), "glossary", "check", str(srt), "--json"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert (report["units"], report["terms"], report["chars"]) == (6, 8, 178)
    first = report["findings"][0]
    assert (first["kind"], first["number"], first["start_ms"], first["term"]) == \
        ("cue", 1, 600, "综合行政执法")


def test_check_text_and_markdown(run, tmp_path):
    md = tmp_path / "guide.md"
    md.write_text("# 办事指南\n\n窗口可以容缺受理（收件后补材料）。\n\n- 跨省通办\n", encoding="utf-8")
    result = run("check", md)
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        f"{md}: line 3: 容缺受理 (preferred) explained",
        f"{md}: line 5: 跨省通办 (preferred) → 外省的事就近办",
        f"{md}: 3 line(s), 22 characters, 2 term(s), density 9.09 per 100 characters, "
        "plain-language score 43",
    ]


def test_corrections_lists_learned_ones_and_undoes_by_id(tmp_path):
    from datetime import datetime, timezone

    from glossary.learned import learn, path_in
    from studio.environment import Environment

    instance = tmp_path / "instance"
    env = Environment(environ={"WULING_INSTANCE_PATH": str(instance)})
    moment = datetime(2026, 11, 30, 4, 0, tzinfo=timezone.utc)
    learn(path_in(instance), "以往通办", "一网通办", by="wang", reason="review", now=moment)
    learn(path_in(instance), "趋司法局", "区司法局", by="li", now=moment)

    def run(*args):
        return CliRunner().invoke(cli, ["glossary", "corrections", *args], obj=env)

    listed = run()
    assert listed.exit_code == 0
    assert listed.output.splitlines() == [
        "1\t以往通办 → 一网通办\treview\twang\t2026-11-30T04:00:00+00:00",
        "2\t趋司法局 → 区司法局\trecurring\tli\t2026-11-30T04:00:00+00:00",
        f"{path_in(instance)}: 2 learned correction(s)"]
    assert run("--undo", "2", "--by", "zhao").output == f"{path_in(instance)}: undid 2 趋司法局 → 区司法局\n"
    assert run().output.count("→") == 1
    assert "undone by zhao" in run("--all").output
    again = run("--undo", "2")
    assert again.exit_code == 3 and "already undone by zhao" in again.output
    assert run("--undo", "0").exit_code == 2


def test_corrections_of_a_broken_file_is_a_one_line_error(tmp_path):
    from studio.environment import Environment

    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "learned-corrections.csv").write_text("id,heard\n1,x\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["glossary", "corrections"],
                                obj=Environment(environ={"WULING_INSTANCE_PATH": str(instance)}))
    assert result.exit_code == 3  # BAD_INPUT, no traceback
    assert f"{instance / 'learned-corrections.csv'}:1: learned corrections need the columns" in result.output
