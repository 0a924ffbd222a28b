"""One podcast feed per programme and the guides' Atom feed, parsed with feedparser and
with gPodder's podcastparser (a real podcast client's parser), and checked against a
written rule list (RSS 2.0, Apple Podcasts' tags, the Podcasting 2.0 namespace).

Rules:
 1. channel: title and description of its programme, link, language zh-cn,
    itunes:author, itunes:owner (name + email), itunes:category, itunes:explicit
    true|false, itunes:image, podcast:guid (UUIDv5 of the feed URL without its scheme,
    in the namespace ead4c236-…), podcast:locked yes|no with the owner email.
 2. channel artwork is a square JPEG of 1400–3000 px that the site serves as image/jpeg,
    the programme's own (not an episode's cover), unchanged by later publishes.
 3. one item per published episode of the programme with podcast audio: the show's
    feed has no guide and the guides' feed no show episode; scheduled, draft and
    archived episodes are absent.
 4. each item: title, link, description, guid with isPermaLink="false", pubDate,
    enclosure with url, length == the served file's size and type audio/* == the
    served type, itunes:duration, itunes:episodeType full.
 5. GUIDs are unique and stay the same after a regeneration and a --replace.
 6. every date is RFC 2822 with a numeric zone.
 7. podcast:transcript links (WebVTT and SRT) resolve on the site with their type.
 8. all links are absolute under SITE_URL, and item links open the episode page.
 9. podcast:person: one per guest, role guest, group cast, the name (department).
10. podcast:chapters: url + type application/json+chapters; the file is served with
    that type and holds JSON chapters 1.2.0: version "1.2.0", chapters a list of
    objects with a numeric startTime (ascending, the first 0, all within the audio)
    and a non-empty string title.
"""
from __future__ import annotations

import io
import json
import re
import uuid
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import feedparser
import podcastparser
import pytest
from PIL import Image

import web
from episodes.podcastindex import ITUNES_NS, PODCAST_NS
from subtitles.cue import Cue
from subtitles.io import dumps
from tests.catalog_fixtures import make_mp3, make_mp4, make_workdir, publish
from tests.support import isolated_environ

SITE = "https://ting.wuling.example"
RFC822 = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|"
                    r"Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$")
SHOW, GUIDES = "/feed/podcast.xml", "/feed/guides.xml"
LONG_SECONDS = 600  # one episode long enough for several chapters


def long_transcript(work, seconds: int) -> None:
    """Verbatim tracks of 4-second cues, a question opening after a pause every 21.5 s."""
    cues, start = [Cue(1000, 4500, ("欢迎收听武陵政务直播间",))], 5000
    while start + 4000 <= seconds * 1000:
        n = len(cues) - 1
        text = f"第{n // 5 + 1}个问题，我们讲讲材料。" if n % 5 == 0 else "窗口的工作人员会一步一步帮您办理"
        cues.append(Cue(start, start + 3500, (text,)))
        start += 4000 + (1500 if n % 5 == 4 else 0)
    for fmt in ("vtt", "srt"):
        (work / f"verbatim.{fmt}").write_text(dumps(cues, fmt), encoding="utf-8")


def build_site(tmp_path, url: str):
    """Three show episodes (one ten minutes long), one guide video, one show episode
    scheduled for tomorrow, in the catalog at ``url`` ("": the instance's SQLite file)."""
    instance = tmp_path / "instance"
    for n, slug in enumerate(("hukou-qianyi", "shebao-ka")):
        publish(instance, make_workdir(tmp_path / slug, slug, seconds=20 + n, frequency=300 + 50 * n), url)
    long = make_workdir(tmp_path / "yibao-baoxiao", "yibao-baoxiao", seconds=LONG_SECONDS, frequency=400)
    long_transcript(long, LONG_SECONDS)
    publish(instance, long, url)
    guide = make_workdir(tmp_path / "guide", "yingye-zhizhao", kind="guide", seconds=10)
    make_mp4(guide / "web.mp4")
    publish(instance, guide, url)
    publish(instance, make_workdir(tmp_path / "later", "mingtian", seconds=5), url,
            at=datetime.now(timezone.utc) + timedelta(days=1))
    return site_app(instance, url), tmp_path


def site_app(instance, url: str):
    return web.create_app({"TESTING": True, "SITE_URL": SITE}, environ=isolated_environ(instance, url))


@pytest.fixture(scope="module")
def site(tmp_path_factory, module_catalog):
    """Shared by the tests that only read, on each engine."""
    return build_site(tmp_path_factory.mktemp("feed-site"), module_catalog)


@pytest.fixture
def own_site(tmp_path, settings_catalog):
    """For tests that publish more (into ``settings_catalog``)."""
    return build_site(tmp_path, settings_catalog)


def local(client, url: str):
    """Fetch an absolute site URL through the app."""
    assert url.startswith(SITE + "/"), url
    return client.get(urlsplit(url).path)


def slugs(feed) -> list[str]:
    return sorted(e.link.rsplit("/", 1)[1] for e in feed.entries)


@pytest.mark.parametrize("path, title, kinds", [
    (SHOW, "武陵政务直播间", ["hukou-qianyi", "shebao-ka", "yibao-baoxiao"]),
    (GUIDES, "武陵政务服务导办", ["yingye-zhizhao"]),
])
def test_programme_feeds_follow_the_rules(site, path, title, kinds):
    app, _ = site
    client = app.test_client()
    response = client.get(path)
    assert response.status_code == 200 and response.mimetype == "application/rss+xml"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "rss20"
    channel = feed.feed
    # rule 1
    assert channel.title == title and channel.link == SITE + "/" and channel.language == "zh-cn"
    assert channel.author and channel.publisher_detail.email == "podcast@example.gov.cn"
    assert channel.publisher_detail.name
    assert [t.term for t in channel.tags] == ["Government"]
    root = ET.fromstring(response.data).find("channel")
    assert root.findtext(f"{{{ITUNES_NS}}}explicit") == "false"  # feedparser knows yes/clean only
    feed_url = SITE + path
    assert root.findtext(f"{{{PODCAST_NS}}}guid") == str(uuid.uuid5(
        uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6"), feed_url.split("://")[1]))
    locked = root.find(f"{{{PODCAST_NS}}}locked")
    assert locked.text == "no" and locked.get("owner") == "podcast@example.gov.cn"
    # rule 2
    assert root.find(f"{{{ITUNES_NS}}}image").get("href") == channel.image.href
    artwork = local(client, channel.image.href)
    assert artwork.status_code == 200 and artwork.mimetype == "image/jpeg"
    with Image.open(io.BytesIO(artwork.data)) as image:
        assert image.format == "JPEG"
        assert image.width == image.height and 1400 <= image.width <= 3000
    assert "/media/" not in channel.image.href  # not an episode's cover
    # rule 3
    assert slugs(feed) == kinds
    for entry in feed.entries:
        # rules 4 and 8
        assert entry.title and entry.description and local(client, entry.link).status_code == 200
        assert entry.guidislink is False and entry.id.startswith("urn:uuid:")
        [enclosure] = entry.enclosures
        audio = local(client, enclosure.href)
        assert audio.status_code == 200 and enclosure.type == audio.mimetype == "audio/mpeg"
        assert int(enclosure.length) == len(audio.data)
        assert 10 <= int(entry.itunes_duration) <= LONG_SECONDS + 1
        assert entry.itunes_episodetype == "full"
        assert "区自然资源局李明" in entry.description
    for item in root.iter("item"):
        assert item.find("guid").get("isPermaLink") == "false"
        assert {"url", "length", "type"} <= set(item.find("enclosure").attrib)
        # rule 9
        [person] = item.iter(f"{{{PODCAST_NS}}}person")
        assert (person.text, person.get("role"), person.get("group")) == (
            "李明（区自然资源局）", "guest", "cast")
    # rule 5
    assert len({e.id for e in feed.entries}) == len(feed.entries)
    # rule 6
    dates = re.findall(rb"<(?:pubDate|lastBuildDate)>([^<]+)<", response.data)
    assert len(dates) == len(feed.entries) + 1
    for text in dates:
        assert RFC822.match(text.decode()) and parsedate_to_datetime(text.decode()).tzinfo


@pytest.mark.parametrize("path", [SHOW, GUIDES])
def test_a_podcast_client_reads_the_feeds(site, path):
    """gPodder's parser sees what a podcast app will: the programme, its artwork, and
    each episode with its audio, date, duration and type.

    podcastparser 0.6.11 knows the podcast namespace only by its old GitHub address,
    not the spec's ``https://podcastindex.org/namespace/1.0``, so it skips the
    podcast: tags; the other tests read those from the XML.
    """
    app, _ = site
    client = app.test_client()
    feed = feedparser.parse(client.get(path).data)
    parsed = podcastparser.parse(SITE + path, io.BytesIO(client.get(path).data))
    assert parsed["title"] == feed.feed.title and parsed["description"] == feed.feed.description
    assert parsed["cover_url"] == feed.feed.image.href and parsed["type"] == "episodic"
    assert parsed["itunes_owner"] == {"name": "武陵区政务服务中心", "email": "podcast@example.gov.cn"}
    assert [e["guid"] for e in parsed["episodes"]] == [e.id for e in feed.entries]
    for episode in parsed["episodes"]:
        assert episode["type"] == "full" and episode["published"] > 0 and episode["total_time"] >= 10
        assert local(client, episode["link"]).status_code == 200
        [enclosure] = episode["enclosures"]
        audio = local(client, enclosure["url"])
        assert enclosure["mime_type"] == audio.mimetype and enclosure["file_size"] == len(audio.data)


def test_chapters_follow_the_json_chapters_spec(site):
    """Rule 10, on the ten-minute episode: chapters every few minutes at a pause."""
    app, _ = site
    client = app.test_client()
    root = ET.fromstring(client.get(SHOW).data)
    by_slug = {item.findtext("link").rsplit("/", 1)[1]: item for item in root.iter("item")}
    for slug, item in by_slug.items():
        [tag] = item.iter(f"{{{PODCAST_NS}}}chapters")
        assert tag.get("type") == "application/json+chapters"
        served = local(client, tag.get("url"))
        assert served.status_code == 200 and served.mimetype == "application/json+chapters"
        assert served.headers["Access-Control-Allow-Origin"] == "*"
        document = json.loads(served.data)
        assert document["version"] == "1.2.0" and isinstance(document["chapters"], list)
        starts = [chapter["startTime"] for chapter in document["chapters"]]
        assert starts[0] == 0 and starts == sorted(set(starts))
        duration = int(item.findtext(f"{{{ITUNES_NS}}}duration"))
        for chapter in document["chapters"]:
            assert isinstance(chapter["startTime"], (int, float)) and chapter["startTime"] < duration
            assert isinstance(chapter["title"], str) and chapter["title"].strip()
        assert document["chapters"][0] == {"startTime": 0, "title": "欢迎收听武陵政务直播间"}
        if slug == "yibao-baoxiao":
            assert len(starts) >= 3
            assert all(150 <= b - a <= 260 for a, b in zip(starts, starts[1:]))
            # a chapter opens after a pause, at the sentence a question starts
            assert all(c["title"].startswith("第") for c in document["chapters"][1:])
            assert document["chapters"][1]["title"].endswith("个问题")
        else:
            assert len(starts) == 1
        again = client.get(urlsplit(tag.get("url")).path, headers={"If-None-Match": served.headers["ETag"]})
        assert again.status_code == 304
    assert client.get("/feed/chapters/mingtian.json").status_code == 404  # scheduled
    assert client.get("/feed/chapters/no-such.json").status_code == 404


def test_transcripts_resolve_with_their_types(site):
    app, _ = site
    client = app.test_client()
    items = ET.fromstring(client.get("/feed/podcast.xml").data).iter("item")
    for item in items:
        links = {t.get("type"): t for t in item.iter(f"{{{PODCAST_NS}}}transcript")}
        assert set(links) == {"text/vtt", "application/x-subrip"}
        for mime, tag in links.items():
            assert tag.get("language") == "zh-cn" and tag.get("rel") == "captions"
            served = local(client, tag.get("url"))
            assert served.status_code == 200 and served.mimetype == mime
            assert "欢迎收听武陵政务直播间" in served.get_data(as_text=True)
            assert served.headers["Access-Control-Allow-Origin"] == "*"


def test_guids_are_stable_across_regenerations_and_new_renders(own_site, settings_catalog):
    app, tmp_path = own_site
    before = feedparser.parse(app.test_client().get("/feed/podcast.xml").data)
    make_mp3(tmp_path / "shebao-ka" / "podcast.mp3", 25, frequency=900)
    publish(tmp_path / "instance", tmp_path / "shebao-ka", settings_catalog, replace=True)
    rebuilt = site_app(tmp_path / "instance", settings_catalog)
    after = feedparser.parse(rebuilt.test_client().get("/feed/podcast.xml").data)
    guids = lambda feed: {e.link: e.id for e in feed.entries}  # noqa: E731
    assert guids(before) == guids(after)
    enclosure = lambda feed: {e.link: e.enclosures[0].href for e in feed.entries}  # noqa: E731
    changed = [link for link in enclosure(before) if enclosure(before)[link] != enclosure(after)[link]]
    assert changed == [SITE + "/e/shebao-ka"]


def test_revalidation_gets_304_until_the_catalog_changes(own_site, settings_catalog):
    app, tmp_path = own_site
    client = app.test_client()
    first = client.get("/feed/podcast.xml")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert RFC822.match(modified.replace("GMT", "+0000"))
    again = client.get("/feed/podcast.xml", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    since = client.get("/feed/podcast.xml", headers={"If-Modified-Since": modified})
    assert since.status_code == 304
    publish(tmp_path / "instance", make_workdir(tmp_path / "new", "xin-yiqi", seconds=8), settings_catalog)
    changed = client.get("/feed/podcast.xml", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert len(feedparser.parse(changed.data).entries) == 4


def test_guides_atom_feed(site):
    app, _ = site
    client = app.test_client()
    response = client.get("/feed/guides.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.data)
    assert not feed.bozo and feed.version == "atom10"
    assert feed.feed.title == "武陵政务服务导办" and feed.feed.subtitle.startswith("武陵区政务服务导办视频")
    [entry] = feed.entries
    assert entry.link == SITE + "/e/yingye-zhizhao" and entry.id.startswith("urn:uuid:")
    assert local(client, entry.link).status_code == 200
    [video] = entry.enclosures
    served = local(client, video.href)
    assert video.type == served.mimetype == "video/mp4" and int(video.length) == len(served.data)
    assert entry.updated_parsed and entry.published_parsed
    assert client.get("/feed/guides.atom",
                      headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


def test_unpublished_media_is_not_served(site):
    app, _ = site
    client = app.test_client()
    with app.app_context():
        from sqlalchemy import select

        from episodes.models import Episode
        from web.db import get_session

        later = get_session().scalar(select(Episode).where(Episode.slug == "mingtian"))
        paths = [a.path for a in later.assets]
    assert paths and all(client.get(f"/media/{p}").status_code == 404 for p in paths)
    assert client.get("/media/../catalog.sqlite3").status_code == 404


def test_only_published_episodes_reach_the_feeds(tmp_path, settings_catalog):
    """Rule 3 through the approval gate: an episode published after its captions were
    approved, or published --unreviewed, is in its feed; one left a draft, still
    scheduled or archived is in no feed and has no chapters."""
    from episodes.catalog import find_episode
    from episodes.db import make_sessionmaker, transaction
    from episodes.errors import CatalogError
    from episodes.publishing import archive, publish_now, unschedule
    from episodes.review import approve, require_approved, save_revision
    from tests.catalog_fixtures import catalog_engine

    instance, later = tmp_path / "instance", datetime.now(timezone.utc) + timedelta(days=1)
    for slug in ("shenhe-tongguo", "weishen-fabu", "caogao", "paiqi", "xiaxian", "daishen"):
        publish(instance, make_workdir(tmp_path / slug, slug, seconds=10), settings_catalog,
                at=later)
    approved = (Cue(1000, 4000, ("经过审核的开场白",)), Cue(4500, 8000, ("今天我们聊聊不动产登记",)))
    now = datetime.now(timezone.utc)
    engine = catalog_engine(instance, settings_catalog)
    with transaction(make_sessionmaker(engine)) as session:
        episode = {slug: find_episode(session, slug) for slug in (
            "shenhe-tongguo", "weishen-fabu", "caogao", "xiaxian", "daishen")}
        for slug in ("shenhe-tongguo", "weishen-fabu", "daishen"):
            save_revision(session, episode[slug], 0, approved, "机器", source="machine")
        approve(session, episode["shenhe-tongguo"], "王审核", plain=list)
        # the gate every publish passes (CLI, workspace, scheduler), then the publish
        require_approved(session, episode["shenhe-tongguo"], gate_on=True, plain=list)
        require_approved(session, episode["weishen-fabu"], gate_on=True, plain=list,
                         unreviewed_by="值班员")
        with pytest.raises(CatalogError, match="not approved"):
            require_approved(session, episode["daishen"], gate_on=True, plain=list)
        for slug in ("shenhe-tongguo", "weishen-fabu", "xiaxian"):
            publish_now(episode[slug], now)
        archive(episode["xiaxian"])
        unschedule(episode["caogao"])
    engine.dispose()
    client = site_app(instance, settings_catalog).test_client()
    assert slugs(feedparser.parse(client.get(SHOW).data)) == ["shenhe-tongguo", "weishen-fabu"]
    assert feedparser.parse(client.get(GUIDES).data).entries == []
    for slug in ("caogao", "paiqi", "xiaxian", "daishen"):
        assert client.get(f"/feed/chapters/{slug}.json").status_code == 404
    chapters = json.loads(client.get("/feed/chapters/shenhe-tongguo.json").data)
    assert chapters["chapters"] == [{"startTime": 0, "title": "经过审核的开场白"}]  # the approved text
