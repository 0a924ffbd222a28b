"""Chapters from cues: where they open and what they are called (episodes.chapters)."""
from __future__ import annotations

from episodes.chapters import CHAPTER_MS, SLACK_MS, Chapter, chapters, chapters_document


def steady(seconds: int, pause_every: int = 0, text: str = "窗口的工作人员会帮您办理") -> list:
    """3-second cues 0.5 s apart; every ``pause_every``-th gap is 2 s instead."""
    cues, start, n = [], 0, 0
    while start + 3000 <= seconds * 1000:
        cues.append((start, start + 3000, f"{text}{n}"))
        n += 1
        start += 3500 + (1500 if pause_every and n % pause_every == 0 else 0)
    return cues


def test_no_transcript_no_chapters_and_a_short_one_is_one_chapter():
    assert chapters([]) == []
    assert chapters(steady(200)) == [Chapter(0, "窗口的工作人员会帮您办理0")]


def test_a_chapter_every_few_minutes_at_the_longest_pause():
    cues = steady(900)
    long_pause = next(i for i, c in enumerate(cues) if c[0] >= CHAPTER_MS + 20_000)
    cues = cues[:long_pause] + [(s + 3000, e + 3000, t) for s, e, t in cues[long_pause:]]
    marks = chapters(cues)
    assert marks[0].start_ms == 0 and marks[1].start_ms == cues[long_pause][0]
    gaps = [b.start_ms - a.start_ms for a, b in zip(marks, marks[1:])]
    assert all(CHAPTER_MS <= gap <= CHAPTER_MS + SLACK_MS for gap in gaps[1:])
    assert cues[-1][1] - marks[-1].start_ms >= 60_000  # no stub chapter at the end


def test_no_chapter_opens_in_the_last_minute():
    cues = steady(CHAPTER_MS // 1000 + 40, pause_every=10)
    assert len(chapters(cues)) == 1  # a second one would last under a minute


def test_a_sentence_end_wins_over_an_equal_pause():
    cues = steady(400)
    ends = next(i for i, c in enumerate(cues) if c[0] >= CHAPTER_MS + 30_000) - 1
    cues[ends] = (cues[ends][0], cues[ends][1], "这件事就办好了。")
    assert chapters(cues)[1].start_ms == cues[ends + 1][0]


def test_titles_are_the_opening_words_cut_at_a_clause_or_a_word():
    assert chapters([(0, 2000, "第一个问题，户口迁移要带什么")])[0].title == "第一个问题"
    # a mere "好的" borrows the next cue
    assert chapters([(0, 900, "好的"), (1000, 3000, "我们来看下一个问题")])[0].title == \
        "好的我们来看下一个问题"
    # 15 characters would end inside 直接 (城乡居民|基本|医疗保险|异地|就医|直接|…): stop before it
    long = chapters([(0, 5000, "城乡居民基本医疗保险异地就医直接结算备案手续怎么办理")])[0].title
    assert long == "城乡居民基本医疗保险异地就医…"


def test_document_is_json_chapters_1_2_0():
    document = chapters_document([Chapter(0, "开场"), Chapter(181_500, "第二个问题")], "户口迁移",
                                 "武陵政务直播间")
    assert document == {"version": "1.2.0", "title": "户口迁移", "podcastName": "武陵政务直播间",
                        "chapters": [{"startTime": 0.0, "title": "开场"},
                                     {"startTime": 181.5, "title": "第二个问题"}]}
