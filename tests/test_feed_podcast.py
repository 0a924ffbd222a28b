"""The podcast RSS and guide Atom feeds, parsed with feedparser and checked against
a written rule list (Apple Podcasts' required tags, Podcasting 2.0 transcripts).

Rules:
 1. channel: title, link, description, language zh-cn, itunes:author, itunes:owner
    (name + email), itunes:category, itunes:explicit true|false, itunes:image.
 2. channel artwork is a square JPEG/PNG of 1400–3000 px that the site serves.
 3. one item per published episode or guide video with podcast audio; scheduled absent.
 4. each item: title, link, description, guid (not a permalink), pubDate, enclosure
    with type audio/* and length == the served file's size, itunes:duration.
 5. GUIDs are unique and stay the same after a regeneration and a --replace.
 6. every date is RFC 822.
 7. podcast:transcript links (WebVTT and SRT) resolve on the site with their type.
 8. all links are absolute under SITE_URL, and item links open the episode page.
"""
from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import feedparser
import pytest
from PIL import Image

import web
from episodes.podcastindex import PODCAST_NS
from tests.catalog_fixtures import make_mp3, make_mp4, make_workdir, publish

SITE = "https://ting.wuling.example"
RFC822 = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|"
                    r"Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$")


def build_site(tmp_path):
    """Three show episodes, one guide video, one episode scheduled for tomorrow."""
    instance = tmp_path / "instance"
    for n, slug in enumerate(("hukou-qianyi", "shebao-ka", "yibao-baoxiao")):
        publish(instance, make_workdir(tmp_path / slug, slug, seconds=20 + n, frequency=300 + 50 * n))
    guide = make_workdir(tmp_path / "guide", "yingye-zhizhao", kind="guide", seconds=10)
    make_mp4(guide / "web.mp4")
    publish(instance, guide)
    publish(instance, make_workdir(tmp_path / "later", "mingtian", seconds=5),
            at=datetime.now(timezone.utc) + timedelta(days=1))
    app = web.create_app({"TESTING": True, "SITE_URL": SITE}, str(instance))
    return app, tmp_path


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Shared by the tests that only read."""
    return build_site(tmp_path_factory.mktemp("feed-site"))


@pytest.fixture
def own_site(tmp_path):
    """For tests that publish more."""
    return build_site(tmp_path)


def local(client, url: str):
    """Fetch an absolute site URL through the app."""
    assert url.startswith(SITE + "/"), url
    return client.get(urlsplit(url).path)


def test_podcast_feed_follows_the_rules(site):
    app, _ = site
    client = app.test_client()
    response = client.get("/feed/podcast.xml")
    assert response.status_code == 200 and response.mimetype == "application/rss+xml"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.bozo_exception
    channel = feed.feed
    # rule 1
    assert channel.title == "武陵政务直播间" and channel.link == SITE + "/"
    assert channel.description and channel.language == "zh-cn"
    assert channel.author and channel.publisher_detail.email == "podcast@example.gov.cn"
    assert channel.publisher_detail.name
    assert [t.term for t in channel.tags] == ["Government"]
    assert b"<itunes:explicit>false</itunes:explicit>" in response.data  # feedparser knows yes/clean only
    # rule 2
    artwork = local(client, channel.image.href)
    with Image.open(io.BytesIO(artwork.data)) as image:
        assert image.format in ("JPEG", "PNG")
        assert image.width == image.height and 1400 <= image.width <= 3000
    # rule 3
    assert sorted(e.link.rsplit("/", 1)[1] for e in feed.entries) == [
        "hukou-qianyi", "shebao-ka", "yibao-baoxiao", "yingye-zhizhao"]
    for entry in feed.entries:
        # rules 4 and 8
        assert entry.title and entry.description and local(client, entry.link).status_code == 200
        assert entry.guidislink is False and entry.id.startswith("urn:uuid:")
        [enclosure] = entry.enclosures
        audio = local(client, enclosure.href)
        assert audio.status_code == 200 and enclosure.type == audio.mimetype == "audio/mpeg"
        assert int(enclosure.length) == len(audio.data)
        assert 10 <= int(entry.itunes_duration) <= 23
        assert "区自然资源局李明" in entry.description
    # rule 5
    assert len({e.id for e in feed.entries}) == len(feed.entries)
    # rule 6
    dates = re.findall(rb"<(?:pubDate|lastBuildDate)>([^<]+)<", response.data)
    assert len(dates) == len(feed.entries) + 1
    for text in dates:
        assert RFC822.match(text.decode()) and parsedate_to_datetime(text.decode()).tzinfo


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


def test_guids_are_stable_across_regenerations_and_new_renders(own_site):
    app, tmp_path = own_site
    before = feedparser.parse(app.test_client().get("/feed/podcast.xml").data)
    make_mp3(tmp_path / "shebao-ka" / "podcast.mp3", 25, frequency=900)
    publish(tmp_path / "instance", tmp_path / "shebao-ka", replace=True)
    rebuilt = web.create_app({"TESTING": True, "SITE_URL": SITE}, str(tmp_path / "instance"))
    after = feedparser.parse(rebuilt.test_client().get("/feed/podcast.xml").data)
    guids = lambda feed: {e.link: e.id for e in feed.entries}  # noqa: E731
    assert guids(before) == guids(after)
    enclosure = lambda feed: {e.link: e.enclosures[0].href for e in feed.entries}  # noqa: E731
    changed = [link for link in enclosure(before) if enclosure(before)[link] != enclosure(after)[link]]
    assert changed == [SITE + "/e/shebao-ka"]


def test_revalidation_gets_304_until_the_catalog_changes(own_site):
    app, tmp_path = own_site
    client = app.test_client()
    first = client.get("/feed/podcast.xml")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert RFC822.match(modified.replace("GMT", "+0000"))
    again = client.get("/feed/podcast.xml", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    since = client.get("/feed/podcast.xml", headers={"If-Modified-Since": modified})
    assert since.status_code == 304
    publish(tmp_path / "instance", make_workdir(tmp_path / "new", "xin-yiqi", seconds=8))
    changed = client.get("/feed/podcast.xml", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert len(feedparser.parse(changed.data).entries) == 5


def test_guides_atom_feed(site):
    app, _ = site
    client = app.test_client()
    response = client.get("/feed/guides.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.data)
    assert not feed.bozo and feed.version == "atom10"
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
