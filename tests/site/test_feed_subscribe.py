"""Finding and trusting the feeds: the 订阅 page linked from every page, feed discovery
links, each programme's own artwork (drawn once, stable across publishes, overridable)
and the podcast:locked setting. Real catalog, real published files, the app over HTTP."""
from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest
from PIL import Image

import web
from episodes.library import programme_artwork
from episodes.podcastindex import PODCAST_NS
from studio.stages.artwork import ensure_programme_artwork
from tests.catalog_fixtures import make_workdir, publish
from tests.support import isolated_environ
from web.deployment import SiteConfigError

SITE = "https://ting.wuling.example"


class Links(HTMLParser):
    """The <link rel="alternate"> and <a href> of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.alternates: list[dict] = []
        self.anchors: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("rel") == "alternate":
            self.alternates.append(attrs)
        elif tag == "a":
            self.anchors.append(attrs.get("href"))


def links(response) -> Links:
    parser = Links()
    parser.feed(response.get_data(as_text=True))
    return parser


@pytest.fixture(scope="module")
def site(tmp_path_factory, module_catalog):
    """One show episode and one guide, on each engine (``module_catalog``)."""
    root = tmp_path_factory.mktemp("subscribe")
    publish(root / "instance", make_workdir(root / "show", "hukou-qianyi", seconds=10), module_catalog)
    publish(root / "instance", make_workdir(root / "guide", "yingye-zhizhao", kind="guide", seconds=10),
            module_catalog)
    return app_with(root, module_catalog), root


def app_with(root: Path, url: str, **config):
    """The site on ``root``'s instance folder and the catalog at ``url`` ("": its SQLite file)."""
    return web.create_app({"TESTING": True, "SITE_URL": SITE, **config},
                          environ=isolated_environ(root / "instance", url))


@pytest.mark.parametrize("path", ["/", "/episodes/", "/guides/", "/e/hukou-qianyi",
                                  "/e/hukou-qianyi/audio", "/search?q=登记", "/subscribe", "/no-such-page"])
def test_every_page_links_the_subscribe_page_and_announces_the_feeds(site, path):
    app, _ = site
    client = app.test_client()
    page = links(client.get(path))
    assert page.anchors.count("/subscribe") >= 2  # header navigation and footer
    announced = {(a["type"], a["title"], a["href"]) for a in page.alternates}
    assert announced == {
        ("application/rss+xml", "武陵政务直播间（播客）", "/feed/podcast.xml"),
        ("application/rss+xml", "武陵政务服务导办（播客）", "/feed/guides.xml"),
        ("application/atom+xml", "武陵政务服务导办视频（Atom）", "/feed/guides.atom"),
    }
    for mime_type, _, href in announced:
        served = client.get(href)
        assert served.status_code == 200 and served.mimetype == mime_type
        assert not feedparser.parse(served.data).bozo


def test_subscribe_page_says_how_in_plain_words(site):
    app, _ = site
    response = app.test_client().get("/subscribe")
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "<h1>用手机订阅节目</h1>" in text
    assert "播客就是放在网上的音频节目" in text
    for name in ("小宇宙", "Apple 播客", "通过 URL 关注节目", "12345"):
        assert name in text
    # the addresses to copy are the public ones, under SITE_URL, one per programme
    addresses = re.findall(r'<textarea id="feed-\d" rows="2" readonly spellcheck="false">([^<]+)<', text)
    assert addresses == [SITE + "/feed/podcast.xml", SITE + "/feed/guides.xml"]
    assert SITE + "/feed/guides.atom" in text
    # each programme with its own name, description and drawn artwork
    assert "部门负责人走进直播间" in text and "讲清楚要带什么材料" in text
    assert 'src="/feed/podcast.jpg"' in text and 'src="/feed/guides.jpg"' in text
    assert 'href="/episodes/"' in text and 'href="/guides/"' in text


def test_each_programme_has_its_own_stable_artwork(site, module_catalog, tmp_path):
    """Drawn at the first publish, never redrawn: a later episode with another cover
    changes neither the feed's artwork address nor its bytes."""
    app, root = site
    client = app.test_client()
    channels = {path: feedparser.parse(client.get(path).data).feed.image.href
                for path in ("/feed/podcast.xml", "/feed/guides.xml")}
    assert channels == {"/feed/podcast.xml": SITE + "/feed/podcast.jpg",
                        "/feed/guides.xml": SITE + "/feed/guides.jpg"}
    drawn = {stem: client.get(f"/feed/{stem}.jpg") for stem in ("podcast", "guides")}
    assert drawn["podcast"].data != drawn["guides"].data
    for response in drawn.values():
        assert response.status_code == 200 and response.mimetype == "image/jpeg"
    before = hashlib.sha256(drawn["podcast"].data).hexdigest()
    work = make_workdir(tmp_path / "new", "shebao-ka", seconds=10, cover_px=1500)
    Image.new("RGB", (1500, 1500), (200, 30, 30)).save(work / "cover.jpg")
    publish(root / "instance", work, module_catalog)
    assert ensure_programme_artwork(root / "instance" / "media", "episode") is False
    after = app_with(root, module_catalog).test_client()
    assert feedparser.parse(after.get("/feed/podcast.xml").data).feed.image.href == SITE + "/feed/podcast.jpg"
    assert hashlib.sha256(after.get("/feed/podcast.jpg").data).hexdigest() == before
    revalidated = after.get("/feed/podcast.jpg", headers={"If-None-Match": drawn["podcast"].headers["ETag"]})
    assert revalidated.status_code == 304


def test_missing_artwork_is_drawn_again_and_absent_artwork_is_not_an_episode_cover(tmp_path,
                                                                                    settings_catalog):
    publish(tmp_path / "instance", make_workdir(tmp_path / "show", "hukou-qianyi", seconds=10),
            settings_catalog)
    media = tmp_path / "instance" / "media"
    drawn = programme_artwork(media, "episode")
    assert drawn.is_file() and not programme_artwork(media, "guide").exists()
    client = app_with(tmp_path, settings_catalog).test_client()
    # no guide published yet: the guides' feed has no artwork rather than someone else's
    assert "image" not in feedparser.parse(client.get("/feed/guides.xml").data).feed
    assert client.get("/feed/guides.jpg").status_code == 404
    drawn.unlink()
    assert ensure_programme_artwork(media, "episode") is True
    with Image.open(drawn) as image:
        assert image.format == "JPEG" and image.size == (1400, 1400)


def test_artwork_settings_override_each_programme(site, module_catalog):
    _, root = site
    client = app_with(root, module_catalog,
                      PODCAST_ARTWORK="https://cdn.wuling.example/show-3000.jpg").test_client()
    show = feedparser.parse(client.get("/feed/podcast.xml").data).feed
    guides = feedparser.parse(client.get("/feed/guides.xml").data).feed
    assert show.image.href == "https://cdn.wuling.example/show-3000.jpg"
    assert guides.image.href == SITE + "/feed/guides.jpg"
    page = client.get("/subscribe").get_data(as_text=True)
    assert 'src="/feed/podcast.jpg"' not in page  # not what podcast apps show any more
    client = app_with(root, module_catalog,
                      GUIDES_PODCAST_ARTWORK="https://cdn.wuling.example/guides.jpg").test_client()
    assert feedparser.parse(client.get("/feed/guides.xml").data).feed.image.href == \
        "https://cdn.wuling.example/guides.jpg"


def test_locked_setting(site, module_catalog):
    _, root = site
    client = app_with(root, module_catalog, PODCAST_LOCKED="YES").test_client()
    for path in ("/feed/podcast.xml", "/feed/guides.xml"):
        locked = ET.fromstring(client.get(path).data).find(f"channel/{{{PODCAST_NS}}}locked")
        assert locked.text == "yes" and locked.get("owner") == "podcast@example.gov.cn"
    with pytest.raises(SiteConfigError, match="PODCAST_LOCKED: must be yes or no, not 'maybe'"):
        app_with(root, module_catalog, PODCAST_LOCKED="maybe")
