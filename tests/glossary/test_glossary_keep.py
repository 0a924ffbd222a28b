"""Keep the official wording per place (保留规范说法): rewriting leaves the places staff
chose as written, changes nothing outside matched terms, and the plain track follows."""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

from glossary import load_default
from glossary.match import find_normalized
from glossary.normalize import normalize
from glossary.rewrite import Place, kept_places, rewrite
from glossary.tracks import plain_track
from subtitles.cue import Cue
from subtitles.profiles import get_profile

GLOSSARY = load_default()
PROFILE = get_profile("broadcast-zh")
TEXT = "窗口可以容缺受理，也可以容缺受理"


def test_a_kept_place_stays_and_the_others_change():
    everything = rewrite(TEXT, GLOSSARY)
    assert [c.place for c in everything.changes] == [Place("容缺受理", 0), Place("容缺受理", 1)]
    kept = rewrite(TEXT, GLOSSARY, keep={Place("容缺受理", 1)})
    assert kept.text == "窗口可以收件后补材料，也可以容缺受理"
    assert [c.place for c in kept.changes] == [Place("容缺受理", 0)]
    assert [(c.before, c.after, c.place) for c in kept.kept] == [("容缺受理", "收件后补材料", Place("容缺受理", 1))]


def test_a_place_names_the_term_not_the_offset_so_edits_elsewhere_keep_it():
    edited = "据介绍，" + TEXT.replace("窗口", "大厅")
    assert rewrite(edited, GLOSSARY, keep={Place("容缺受理", 1)}).text.count("容缺受理") == 1


def test_places_that_are_not_there_change_nothing():
    keep = {Place("容缺受理", 5), Place("一网通办", 0), Place("", -1)}
    assert rewrite(TEXT, GLOSSARY, keep=keep) == rewrite(TEXT, GLOSSARY)
    assert rewrite("", GLOSSARY, keep=keep).text == ""


def test_the_plain_track_keeps_the_places_of_each_cue():
    cues = [Cue(0, 4000, ("窗口可以容缺受理",)), Cue(5000, 9000, ("窗口可以容缺受理",))]
    track = plain_track(cues, GLOSSARY, PROFILE, keep={1: {Place("容缺受理", 0)}})
    assert [c.text for c in track.cues] == ["窗口可以收件后补材料", "窗口可以容缺受理"]
    assert [(number, c.before) for number, c in track.changes] == [(1, "容缺受理")]


def test_a_stored_wording_reads_back_as_the_places_it_keeps():
    assert kept_places(TEXT, "窗口可以收件后补材料，也可以容缺受理", GLOSSARY) == {Place("容缺受理", 1)}
    assert kept_places(TEXT, TEXT, GLOSSARY) == {Place("容缺受理", 0), Place("容缺受理", 1)}
    assert kept_places(TEXT, rewrite(TEXT, GLOSSARY).text, GLOSSARY) == frozenset()
    assert kept_places("可以一网通办", "可以一网通办", GLOSSARY) == {Place("一网通办", 0)}  # not explained here
    assert kept_places(TEXT, "窗口可以先收下材料", GLOSSARY) is None  # staff's own words


# The first cue is too short to explain 行政复议: the track explains it in front of the second.
ASIDE_CUES = [Cue(0, 900, ("申请行政复议",)), Cue(960, 5000, ("窗口可以容缺受理",))]
ASIDE = "（行政复议：对政府决定的复查）"


def test_a_staff_wording_keeps_the_aside_the_track_puts_in_its_cue():
    assert plain_track(ASIDE_CUES, GLOSSARY, PROFILE).cues[1].lines == (ASIDE, "窗口可以收件后补材料")
    kept = plain_track(ASIDE_CUES, GLOSSARY, PROFILE, chosen={1: "窗口可以容缺受理"})
    assert kept.cues[1].lines == (ASIDE, "窗口可以容缺受理")
    own = plain_track(ASIDE_CUES, GLOSSARY, PROFILE, chosen={1: "窗口可以先收下材料"})
    assert own.cues[1].lines == (ASIDE, "窗口可以先收下材料")
    assert own.changes == kept.changes == [] and own.unexplained == kept.unexplained == []


# Half glossary material (terms, variants, plain wordings, annotations), half the text
# around it (punctuation, titles, Traditional and pinyin-annotated spellings, markup).
_TERMS = sorted({s for t in GLOSSARY.terms for s in (*t.surfaces, t.plain, t.annotated)})
_AROUND = ["，", "。", "我们", "可以", "办理", "《不动产登记暂行条例》", "營業執照", "辦理",
           "“关于一网通办的通知”", "区(qū)", "社区", "（", "）", "<b>", "{\\pos(1,2)}", " "]
texts = st.lists(st.one_of(st.sampled_from(_TERMS), st.sampled_from(_AROUND)), max_size=12).map("".join)


@settings(max_examples=300, deadline=None)
@given(texts, st.sampled_from([None, "replace", "annotate"]), st.data())
def test_rewriting_changes_nothing_outside_matched_terms(text, mode, data):
    """Whatever places are kept: the output is the normalised input with only the
    reported changes made, each change stands on a term match, and kept places stay."""
    norm = normalize(text)
    places = [c.place for c in rewrite(text, GLOSSARY, mode).changes]
    keep = set(data.draw(st.lists(st.sampled_from(places), unique=True) if places else st.just([])))
    result = rewrite(text, GLOSSARY, mode, keep=keep)
    rebuilt, position = [], 0
    for change in result.changes:
        assert norm[change.start:change.end] == change.before
        rebuilt += [norm[position:change.start], change.after]
        position = change.end
    assert result.text == "".join(rebuilt) + norm[position:]
    starts = {m.start: m.term.term for m in find_normalized(norm, GLOSSARY)}
    assert all(starts.get(c.start) == c.term for c in (*result.changes, *result.kept))
    assert {c.place for c in result.kept} == keep
    assert not keep & {c.place for c in result.changes}
