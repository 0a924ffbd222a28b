"""The term base: CSV loading (Excel quirks), validation with line numbers, the default."""
from __future__ import annotations

import re

import pytest

from glossary import load_default
from glossary.errors import GlossaryError
from glossary.io import dumps, load, loads
from glossary.rewrite import rewrite
from glossary.rows import parse
from glossary.validate import validate
from tests.support import SHARED_MEDIA

HEADER = "term,plain,explanation,category,variants,status,mode\n"


def write(path, text: str, encoding: str = "utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def test_excel_quirks_are_accepted(tmp_path):
    csv = "\ufeff术语,白话,解释,类别,变体,状态,模式,,\r\n容缺受理,收件后补材料,先收后补。,政务服务,容缺办理|容缺后补,,,,\r\n\r\n"
    glossary = load(write(tmp_path / "office.csv", csv))
    term = glossary.terms[0]
    assert (term.term, term.plain, term.variants, term.status, term.mode) == \
        ("容缺受理", "收件后补材料", ("容缺办理", "容缺后补"), "preferred", "replace")


def test_a_folder_of_csvs_is_merged(tmp_path):
    write(tmp_path / "a.csv", HEADER + "容缺受理,收件后补材料,说明。,政务服务,,,\n")
    write(tmp_path / "b.csv", HEADER + "契税,买房交的税,说明。,不动产,,,annotate\n")
    assert [t.term for t in load(tmp_path).terms] == ["容缺受理", "契税"]


def test_gbk_is_refused_with_advice(tmp_path):
    path = write(tmp_path / "gbk.csv", HEADER + "容缺受理,收件后补材料,,,,,\n", "gbk")
    with pytest.raises(GlossaryError, match=r"gbk\.csv: not UTF-8 .*GBK.*CSV UTF-8"):
        load(path)


@pytest.mark.parametrize("body, expected", [
    ("容缺受理,,说明。,,,,\n", "2: error: empty plain wording for 容缺受理"),
    (",收件后补材料,说明。,,,,\n", "2: error: empty term"),
    ("容缺受理,收件后补材料,说明。,,,sometimes,\n", "2: error: status 'sometimes' is not one of"),
    ("容缺受理,收件后补材料,说明。,,,,rewrite\n", "2: error: mode 'rewrite' is not one of"),
    ("容缺受理,收件后补材料,说明。,,,,\n容缺受理,先收件,说明。,,,,\n",
     "3: error: duplicate '容缺受理', already defined at office.csv:2"),
    ("容缺受理,收件后补材料,说明。,,,,\n容缺办理,先收件,说明。,,容缺受理,,\n",
     "3: error: duplicate '容缺受理'"),
    ("容缺受理,收件后补材料,说明。,,,,\n收件,接收材料,说明。,,,,\n",
     "2: error: plain wording '收件后补材料' contains the term '收件' (line 3)"),
    ("政务服务,政府办事服务,说明。,,,,\n服务事项,办事项目,说明。,,,,\n",
     "2: warning: '政务服务' overlaps '服务事项' (line 3)"),
    ("契税,买房交的税,,,,,\n", "2: warning: no explanation for 契税"),
    ("容缺受理,收件后补材料,说明。,,,,\n\n\n契税,,说明。,,,,\n", "5: error: empty plain wording"),
])
def test_validation_names_the_line(body, expected):
    problems = [str(p) for p in validate(parse(HEADER + body, "office.csv"))]
    assert any(p.startswith("office.csv:") and expected in p for p in problems), problems


@pytest.mark.parametrize("text, message", [
    ("", "office.csv:1: missing column(s) term, plain"),
    ("term,meaning\n", "office.csv:1: missing column(s) plain"),
    ("term,plain,colour\n", "office.csv:1: unknown column(s) colour"),
    (HEADER + "容缺受理,,说明。,,,,\n契税,,说明。,,,,\n",
     "office.csv:2: empty plain wording for 容缺受理 (and 1 more problem(s)"),
])
def test_loading_refuses_a_broken_term_base(text, message):
    with pytest.raises(GlossaryError) as error:
        loads(text, "office.csv")
    assert str(error.value).startswith(message)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(GlossaryError, match=r"nowhere\.csv: no such term base"):
        load(tmp_path / "nowhere.csv")


def test_dumps_round_trips_the_default():
    default = load_default()
    again = loads(dumps(default))
    assert again.terms == default.terms


def test_a_reviewer_note_is_kept_with_the_term_and_changes_nothing():
    """备注: a doubt about an approved wording, for the office to decide; the wording stays."""
    terms = loads("术语,白话,备注\n参保地,交社保的地方,读起来不顺，请办公室决定。\n")
    assert terms.get("参保地").note == "读起来不顺，请办公室决定。"
    assert "note" in dumps(terms).splitlines()[0] and loads(dumps(terms)).terms == terms.terms
    assert rewrite("要在参保地办理", terms).text == "要在交社保的地方办理"
    default = load_default()
    for name, plain in (("统一社会信用代码", "企业身份证号"), ("参保地", "交社保的地方")):
        term = default.get(name)
        assert (term.plain, term.status) == (plain, "preferred") and term.note.startswith("审校意见")


def test_the_default_glossary_is_real_and_clean():
    default = load_default()
    assert len(default) >= 120
    assert not [p for p in validate(parse(dumps(default))) if p.severity == "error"]
    assert all(t.explanation.endswith("。") and (t.plain or t.mode == "keep") for t in default.terms)
    assert {t.category for t in default.terms} >= {"政务服务", "证照", "社保", "不动产", "市场监管",
                                                   "公共法律服务", "行政执法", "行政复议"}


def test_the_default_covers_every_term_in_the_shared_clips():
    readme = (SHARED_MEDIA / "README.md").read_text(encoding="utf-8")
    listed = {term.strip() for row in re.findall(r"^\| `\w+` \|.*\| ([^|]+) \|$", readme, re.M)
              for term in row.split(",") if re.fullmatch(r"\s*[\u4e00-\u9fff]+\s*", term)}
    assert len(listed) >= 25
    assert sorted(t for t in listed if load_default().get(t) is None) == []
