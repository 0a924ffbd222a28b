"""`studio publish` through the real CLI: files land in the library, rows in the
catalog; bad inputs give one line naming the problem and change nothing."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from episodes.db import make_sessionmaker
from episodes.models import Episode
from studio.cli import cli
from tests.catalog_fixtures import catalog_engine, make_mp3, make_workdir

pytestmark = pytest.mark.usefixtures("settings_catalog", "instance")  # on SQLite and on PostgreSQL


@pytest.fixture
def catalog(instance, settings_catalog):
    return catalog_engine(instance, settings_catalog)


@pytest.fixture
def run(runner):
    """Run a `studio` command in the test's environment."""
    return lambda *args: runner.invoke(cli, list(args))


def episodes(catalog) -> list[Episode]:
    with make_sessionmaker(catalog)() as session:
        return list(session.scalars(select(Episode)))


def library_files(instance: Path) -> list[Path]:
    return sorted(p for p in (instance / "media").rglob("*") if p.is_file())


def test_publish_imports_files_and_cues(run, catalog, tmp_path, instance):
    work = make_workdir(tmp_path / "work", "hukou-qianyi")
    result = run("publish", str(work))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "published hukou-qianyi (5 files, 5 new)"
    [episode] = episodes(catalog)
    with make_sessionmaker(catalog)() as session:
        episode = session.get(Episode, episode.id)
        audio = episode.asset("podcast_mp3")
        assert (audio.mime_type, audio.bytes) == ("audio/mpeg", (work / "podcast.mp3").stat().st_size)
        assert 89_000 <= audio.duration_ms <= 91_000
        assert (instance / "media" / audio.path).read_bytes() == (work / "podcast.mp3").read_bytes()
        assert [c.text for c in episode.cues] == ["欢迎收听武陵政务直播间", "今天我们聊聊不动产登记"]
        assert episode.cues[1].plain_text == "今天我们聊聊房产证怎么办"
        assert [(g.name, g.department) for g in episode.guests] == [("李明", "区自然资源局")]
        assert episode.status == "published" and episode.published_at is not None


def test_republish_never_overwrites_a_published_file(run, catalog, tmp_path, instance):
    work = make_workdir(tmp_path / "work", "shebao-ka")
    assert run("publish", str(work)).exit_code == 0
    [old] = [p for p in library_files(instance) if p.name == "podcast.mp3"]
    old_bytes, old_mtime = old.read_bytes(), old.stat().st_mtime_ns
    make_mp3(work / "podcast.mp3", 90, frequency=660)  # a new render
    result = run("publish", str(work), "--replace")
    assert result.exit_code == 0, result.output
    assert "1 new" in result.output
    mp3s = [p for p in library_files(instance) if p.name == "podcast.mp3"]
    assert len(mp3s) == 2 and old in mp3s
    assert old.read_bytes() == old_bytes and old.stat().st_mtime_ns == old_mtime
    [episode] = episodes(catalog)
    assert len(list((instance / "media").rglob("*.part*"))) == 0


def bad(result, *expected: str) -> str:
    """One line on stderr, exit 3, no traceback; returns the line."""
    assert result.exit_code == 3, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "Traceback" not in result.output
    for text in expected:
        assert text in lines[0]
    return lines[0]


def test_missing_folder(run, catalog, tmp_path, instance):
    bad(run("publish", str(tmp_path / "nope")), str(tmp_path / "nope"), "no such work folder")
    assert episodes(catalog) == [] and library_files(instance) == []


def test_folder_without_episode_json(run, tmp_path, instance):
    work = make_workdir(tmp_path / "work", "x-1")
    (work / "episode.json").unlink()
    bad(run("publish", str(work)), "episode.json", "missing")
    assert library_files(instance) == []


@pytest.mark.parametrize("content, problem", [
    ("{not json", "not valid JSON"),
    ('{"title": "t", "kind": "show", "slug": "a"}', "kind must be one of"),
    ('{"title": "t", "kind": "guide", "slug": "户籍"}', "slug '户籍' must be lowercase"),
    ('{"title": "t", "kind": "guide", "slug": "a", "air_date": "20.11.2026"}', "air_date"),
])
def test_bad_episode_json(run, tmp_path, instance, content, problem):
    work = make_workdir(tmp_path / "work", "x-2")
    (work / "episode.json").write_text(content, encoding="utf-8")
    bad(run("publish", str(work)), "episode.json", problem)
    assert library_files(instance) == []


HEAD = '{"title": "t", "kind": "guide", "slug": "a"'


@pytest.mark.parametrize("content, problem", [
    (HEAD + ', "duration_ms": NaN}', "holds NaN, which is not a number"),
    (HEAD + ', "duration_ms": 1e308}', "duration_ms must be a whole number"),
    (HEAD + ', "duration_ms": 1e400}', "duration_ms must be a whole number"),
    (HEAD + f', "duration_ms": {2**70}}}', "duration_ms must be a whole number"),
    ('{"title": "\\ud800", "kind": "guide", "slug": "a"}', "title holds a lone surrogate"),
    (HEAD + ', "guests": [{"name": "\\udfff"}]}', "guest name holds a lone surrogate"),
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    (HEAD + ', "x": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply"),
    ("[1, 2]", "must hold a JSON object"),
    ('"episode"', "must hold a JSON object"),
    (HEAD + ', "summary": 5}', "summary must be text"),
])
def test_hostile_episode_json_is_one_line_and_copies_nothing(run, catalog, tmp_path, instance, content, problem):
    work = make_workdir(tmp_path / "work", "x-4")
    (work / "episode.json").write_text(content, encoding="utf-8", errors="surrogatepass")
    line = bad(run("publish", str(work)), problem)
    assert line.startswith(f"Error: {work / 'episode.json'}: ")
    assert episodes(catalog) == [] and library_files(instance) == []


@pytest.mark.parametrize("at, problem", [
    ("next tuesday", "is not a time like 2026-12-01 19:30"),
    ("2020-01-01 19:30", "is in the past"),
])
def test_bad_at(run, catalog, tmp_path, instance, at, problem):
    work = make_workdir(tmp_path / "work", "x-3")
    bad(run("publish", str(work), "--at", at), problem)
    assert episodes(catalog) == [] and library_files(instance) == []


def test_slug_clash(run, tmp_path, instance):
    assert run("publish", str(make_workdir(tmp_path / "a", "same-slug"))).exit_code == 0
    before = library_files(instance)
    other = make_workdir(tmp_path / "b", "same-slug", frequency=880)
    bad(run("publish", str(other)), "same-slug", "already used by episode #1", "--replace")
    assert library_files(instance) == before


def test_cover_of_the_wrong_size(run, tmp_path, instance):
    work = make_workdir(tmp_path / "work", "x-4", cover_px=800)
    bad(run("publish", str(work)), "cover.jpg", "1400–3000 px", "800×800")
    assert library_files(instance) == []


def test_publish_existing_episode_by_slug_and_unknown_slug(run, catalog, tmp_path, instance):
    work = make_workdir(tmp_path / "work", "later-1")
    scheduled = run("publish", str(work), "--at", "2099-01-01 08：00")  # a Chinese keyboard's colon
    assert scheduled.output.startswith("scheduled later-1 for 2099-01-01 08:00 Asia/Shanghai"), scheduled.output
    [episode] = episodes(catalog)
    assert episode.status == "scheduled"
    assert run("publish", "later-1").output.strip() == "published later-1"
    assert episodes(catalog)[0].status == "published"
    bad(run("publish", "no-such-thing"), "no-such-thing", "no such work folder or episode")


def test_metadata_file_is_read_as_utf8(run, catalog, tmp_path, instance):
    work = make_workdir(tmp_path / "work", "utf8-1")
    data = json.loads((work / "episode.json").read_text(encoding="utf-8"))
    assert run("publish", str(work)).exit_code == 0
    assert episodes(catalog)[0].title == data["title"]


@pytest.mark.parametrize("name, content, problem", [
    ("podcast.mp3", b"ID3 not really audio", "not a readable media file"),
    ("verbatim.vtt", b"\xff\xfe\x00garbage", "verbatim.vtt"),
])
def test_broken_deliverable(run, catalog, tmp_path, instance, name, content, problem):
    work = make_workdir(tmp_path / "work", "broken-1")
    (work / name).write_bytes(content)
    bad(run("publish", str(work)), name, problem)
    assert episodes(catalog) == [] and library_files(instance) == []
