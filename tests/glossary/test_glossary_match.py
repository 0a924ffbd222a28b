"""Matching and rewriting: leftmost-longest, variants, Traditional and pinyin input, titles."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from glossary import load_default
from glossary.io import loads
from glossary.match import find_terms
from glossary.normalize import normalize
from glossary.rewrite import rewrite

GLOSSARY = load_default()


@pytest.mark.parametrize("text, expected", [
    ("社區(qū)服務中心", "社区服务中心"),
    ("來(lái)辦（bàn）理", "来办理"),
    ("辦理(ban4)業務", "办理业务"),
    ("表(a)和(ok)不动", "表(a)和(ok)不动"),  # no tone: not pinyin, kept
    ("附件(A)", "附件(A)"),
    ("綠(lǜ)色通道", "绿色通道"),
    ("營業執照", "营业执照"),
    ("第一行\n營業執照\n第三行", "第一行\n营业执照\n第三行"),  # only the Traditional line converts
])
def test_normalize(text, expected):
    assert normalize(text) == expected


@pytest.mark.parametrize("text, surfaces", [
    ("政务服务事项下沉到社区", ["政务服务事项"]),  # leftmost-longest beats 事项下沉
    ("按照事项下沉的要求", ["事项下沉"]),
    ("请到便民服务中心办理", ["便民服务中心"]),
    ("政務服務中心可以一網通辦", ["政務服務中心", "一網通辦"]),
    ("容(róng)缺(quē)受(shòu)理", ["容(róng)缺(quē)受(shòu)理"]),
    ("可以容缺办理，也可以容缺后补", ["容缺办理", "容缺后补"]),
    ("依照《关于推行容缺受理的通知》办理", []),
    ("依照“关于推行容缺受理的通知”办理", []),
    ("依照关于推行容缺受理的通知办理", []),
    ("《行政复议法》规定可以申请行政复议", ["行政复议"]),
    ("節目《武陵政務服務直播間》", []),
    ("他说“一网通办真方便”", ["一网通办"]),  # an ordinary quotation is not a document name
    ("行政复议机关会审查", ["行政复议机关"]),
    ("去政务大厅或者行政服务中心", ["政务大厅", "行政服务中心"]),
    ("今天天气很好，我们去公园散步", []),
])
def test_find_terms(text, surfaces):
    found = find_terms(text, GLOSSARY)
    assert [m.surface for m in found] == surfaces
    assert all(text[m.start:m.end] == m.surface for m in found)


@pytest.mark.parametrize("text, mode, expected", [
    ("窗口可以容缺受理", None, "窗口可以收件后补材料"),
    ("窗口可以容缺受理", "annotate", "窗口可以容缺受理（收件后补材料）"),
    ("窗口可以容缺受理", "flag", "窗口可以容缺受理"),
    ("需要缴纳契税", None, "需要缴纳契税（买房交的税）"),  # the term's own mode
    ("需要缴纳契税（买房交的税）", None, "需要缴纳契税（买房交的税）"),
    ("需要缴纳契税（买房交的税）", "replace", "需要缴纳买房交的税"),
    ("窗口可以容缺办理", "annotate", "窗口可以容缺受理（收件后补材料）"),  # variant → term
    ("窗口可以容(róng)缺受理", None, "窗口可以收件后补材料"),
    ("營業執照可以通過一網通辦申請", None, "营业执照可以通过一网通办（网上一站办）申请"),  # 营业执照 is flag
    ("根据《不动产登记暂行条例》办理不动产登记", "replace", "根据《不动产登记暂行条例》办理房屋土地登记"),
    ("对行政机关的决定不服，可以申请行政复议", "replace", "对政府部门的决定不服，可以申请对政府决定的复查"),
    # names of procedures and bodies are kept and explained (issue 15)
    ("对行政机关的决定不服，可以申请行政复议", None,
     "对行政机关（政府部门）的决定不服，可以申请行政复议（对政府决定的复查）"),
    ("请不要叫他老赖", None, "请不要叫他被列入失信名单的人"),
])
def test_rewrite(text, mode, expected):
    assert rewrite(text, GLOSSARY, mode).text == expected


def test_rewrite_logs_every_change():
    result = rewrite("可以容缺受理，也可以跨省通办", GLOSSARY, "replace")
    assert [(c.start, c.end, c.before, c.after, c.term) for c in result.changes] == [
        (2, 6, "容缺受理", "收件后补材料", "容缺受理"), (10, 14, "跨省通办", "外省的事就近办", "跨省通办")]


def test_an_empty_glossary_changes_nothing():
    assert rewrite("窗口可以容缺受理", loads("term,plain\n")).text == "窗口可以容缺受理"


# Text built from the glossary's own material, so the property meets real terms,
# variants, plain wordings, annotations, titles and Traditional spellings.
_PIECES = sorted({s for t in GLOSSARY.terms for s in (*t.surfaces, t.plain, t.annotated)}
                 | {"，", "。", "我们", "可以", "办理", "《不动产登记暂行条例》", "營業執照", "辦理",
                    "“关于一网通办的通知”", "区(qū)", "社区", "（", "）"})
texts = st.lists(st.sampled_from(_PIECES), max_size=12).map("".join)


@settings(max_examples=300, deadline=None)
@given(texts, st.sampled_from([None, "replace", "annotate", "flag"]))
def test_rewriting_is_idempotent(text, mode):
    once = rewrite(text, GLOSSARY, mode).text
    assert rewrite(once, GLOSSARY, mode).text == once


@settings(max_examples=200, deadline=None)
@given(texts)
def test_matches_never_overlap_and_point_at_the_text(text):
    found = find_terms(text, GLOSSARY)
    assert all(a.end <= b.start for a, b in zip(found, found[1:]))
    assert all(text[m.start:m.end] == m.surface for m in found)
