"""Issue 15 §6: `studio glossary clean` turns pasted web text into clean Simplified
Chinese, and `glossary check` counts only Han characters."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from glossary import load_default
from glossary.clean import MISSING, clean
from glossary.normalize import to_simplified
from glossary.score import score
from studio.cli import cli
from studio.environment import Environment
from tests.support import FIXTURES, ROOT

SEED = ROOT.parent / "shared" / "seed" / "report.txt"


def run(*args):
    return CliRunner().invoke(cli, ["glossary", *map(str, args)], obj=Environment(environ={}))


@pytest.mark.parametrize("traditional, simplified", [
    ("換著喝", "换着喝"), ("看著", "看着"), ("接著說", "接着说"), ("著手", "着手"),
    ("顯著", "显著"), ("著作", "著作"), ("著名", "著名"), ("卓著", "卓著"), ("編著", "编著"),
    ("原著", "原著"), ("什么", "什么"), ("么", "么"),
])
def test_zhe_is_converted_as_the_phrase_means(traditional, simplified):
    assert to_simplified(traditional) == simplified


def test_the_seed_report_comes_out_as_the_reference_checked_by_hand(tmp_path):
    out = tmp_path / "report.clean.txt"
    result = CliRunner().invoke(cli, ["glossary", "clean", str(SEED), "-o", str(out)],
                                obj=Environment(environ={}))
    assert result.exit_code == 0, result.output
    expected = (FIXTURES / "seed_report_clean.txt").read_text(encoding="utf-8")
    assert out.read_text(encoding="utf-8") == expected
    assert result.stderr == (f"{SEED}:3: a lost character read qū restored as '区' "
                             "(from the words around it); check it\n")


def test_clean_keeps_real_brackets_and_drops_pinyin():
    text = "完善黨領(lǐng)導(dǎo)鄉(xiāng)鎮(zhèn)(街道)法治,黨(團(tuán))組織,合法性審核(查),表(a)"
    assert clean(text).text == "完善党领导乡镇（街道）法治，党（团）组织，合法性审核（查），表(a)"


def test_clean_writes_nested_titles_and_quotes_the_chinese_way():
    text = '出臺《貫徹落實<關於加強法治建設的意見>的方案》,構建"法律管家"服務'
    assert clean(text).text == "出台《贯彻落实〈关于加强法治建设的意见〉的方案》，构建“法律管家”服务"


def test_a_lost_character_without_a_fitting_word_is_marked_not_guessed():
    cleaned = clean("甲?yún)^(qū)")
    assert cleaned.text == f"甲{MISSING}"
    assert "could not be restored" in cleaned.notes[0].message


def test_clean_prints_to_standard_output(tmp_path):
    source = tmp_path / "pasted.txt"
    source.write_text("區(qū)司法局\n", encoding="utf-8")
    assert run("clean", source).output == "区司法局\n"


@pytest.mark.parametrize("content, message", [
    (b"\x00\x01\x02binary", "binary data, not text"),
    ("區司法局".encode("big5"), "not UTF-8"),
])
def test_clean_refuses_what_is_not_text(tmp_path, content, message):
    source = tmp_path / "bad.txt"
    source.write_bytes(content)
    result = run("clean", source, "-o", tmp_path / "out.txt")
    assert result.exit_code == 3
    assert result.output.startswith(f"Error: {source}: {message}")
    assert len(result.output.splitlines()) == 1
    assert not (tmp_path / "out.txt").exists()


def test_clean_of_an_empty_file_a_folder_and_a_missing_file(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert run("clean", empty).output == ""
    assert run("clean", tmp_path).exit_code == 3
    missing = run("clean", tmp_path / "nope.txt")
    assert missing.exit_code == 3 and "no such file" in missing.output


def test_clean_of_a_huge_line(tmp_path):
    source = tmp_path / "huge.txt"
    source.write_text("區(qū)司法局," * 20_000, encoding="utf-8")
    assert run("clean", source).output == "区司法局，" * 20_000


def test_the_score_counts_han_characters_only():
    """Pinyin letters once counted as characters: 3,000 on the seed for 1,591 real ones."""
    raw = SEED.read_text(encoding="utf-8")
    cleaned = (FIXTURES / "seed_report_clean.txt").read_text(encoding="utf-8")
    assert score(raw, load_default()).chars == 1591
    assert score(cleaned, load_default()).chars == 1592  # the restored 区
    assert score("區(qū)司法局 12345 App", load_default()).chars == 4
    assert score(raw, load_default()).density == score(cleaned, load_default()).density
