"""Publishing a work folder keeps its machine transcript's unsure words in the catalog (on
each engine), so the workspace can mark them (word probabilities live only in
transcript.json)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from episodes.models import Episode
from episodes.review import uncertain_words
from studio.publish import Gate
from subtitles.transcript import Segment, Transcript, Word
from tests.catalog_fixtures import catalog_engine, publish, make_workdir


def uncertain_texts(instance, url: str) -> list[tuple[str, float]]:
    """The unsure words the catalog at ``url`` keeps for the one published episode."""
    engine = catalog_engine(instance, url)
    with Session(engine) as session:
        found = [(w.text, w.probability) for w in uncertain_words(session, session.scalar(select(Episode.id)))]
    engine.dispose()
    return found

HEARD = (Word(1000, 1600, "欢迎", 0.95), Word(1600, 2400, "收听", 0.42), Word(4500, 5200, "不动产", 0.61),
         Word(5200, 6000, "登记", 0.97))


def test_publishing_keeps_the_unsure_words_of_the_corrected_transcript(tmp_path, settings_catalog):
    work = make_workdir(tmp_path / "work", "estate")
    transcript = Transcript("zh", 8000, [Segment(1000, 6000, "欢迎收听不动产登记", HEARD)])
    (work / "transcript.json").write_text(transcript.to_json(), encoding="utf-8")
    corrected = Transcript("zh", 8000, [Segment(1000, 6000, "欢迎收看不动产登记",  # as revision 1 reads
                                                (HEARD[0], Word(1600, 2400, "收看", 0.42), *HEARD[2:]))])
    (work / "transcript.corrected.json").write_text(corrected.to_json(), encoding="utf-8")
    publish(tmp_path / "instance", work, settings_catalog, gate=Gate(required=False))
    assert uncertain_texts(tmp_path / "instance", settings_catalog) == [("收看", 0.42), ("不动产", 0.61)]


def test_a_folder_without_a_transcript_publishes_with_nothing_to_mark(tmp_path, settings_catalog):
    publish(tmp_path / "instance", make_workdir(tmp_path / "work", "estate"), settings_catalog,
            gate=Gate(required=False))
    assert uncertain_texts(tmp_path / "instance", settings_catalog) == []


def test_words_of_a_private_span_never_reach_the_catalog(tmp_path, settings_catalog):
    work = make_workdir(tmp_path / "work", "estate")
    (work / "transcript.json").write_text(Transcript("zh", 8000, [Segment(1000, 6000, "欢迎张三", (
        Word(1000, 1600, "欢迎", 0.3), Word(1600, 2400, "张三", 0.2)))]).to_json(), encoding="utf-8")
    (work / "transcript.public.json").write_text(Transcript("zh", 8000, [Segment(1000, 1600, "欢迎", (
        Word(1000, 1600, "欢迎", 0.3),))]).to_json(), encoding="utf-8")
    publish(tmp_path / "instance", work, settings_catalog, gate=Gate(required=False))
    assert [text for text, _ in uncertain_texts(tmp_path / "instance", settings_catalog)] == ["欢迎"]
