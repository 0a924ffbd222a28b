"""Issue 16, viewers, over HTTP on the real app: the office's identity from settings (and
nothing when unset), card thumbnails drawn once into the media library, the 长辈版
preference cookie. The browser side is tests/site/test_browser_viewers.py."""
from __future__ import annotations

import io
import os
import random
import re

import pytest
from PIL import Image

from episodes.errors import CatalogError
from episodes.thumbnails import MAX_BYTES, thumbnail, thumbnail_relpath
from tests.support import isolated_environ
from tests.site_data import add_episode, clip_files
from web import create_app


def page(client, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, path
    return response.get_data(as_text=True)


def jpeg(width: int, height: int, noise: bool = True) -> bytes:
    """A poster; random noise is the worst case for JPEG size."""
    rng = random.Random(7)
    image = Image.frombytes("RGB", (width, height), bytes(rng.getrandbits(8) for _ in range(width * height * 3))) \
        if noise else Image.new("RGB", (width, height), (200, 30, 30))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    return out.getvalue()


def test_a_full_hd_poster_becomes_a_small_card_thumbnail():
    poster = jpeg(1920, 1080)
    assert len(poster) > 1_000_000
    small = thumbnail(poster)
    assert len(small) <= MAX_BYTES
    with Image.open(io.BytesIO(small)) as image:
        assert (image.format, image.size) == ("JPEG", (320, 180))


def test_a_vertical_poster_is_padded_into_the_card_shape_not_cropped():
    with Image.open(io.BytesIO(thumbnail(jpeg(1080, 1920, noise=False)))) as image:
        assert image.size == (320, 180)
        assert image.getpixel((5, 90))[0] > 230 and image.getpixel((160, 90))[0] > 150  # band, then poster


def test_a_poster_that_is_not_a_picture_is_a_one_line_error():
    with pytest.raises(CatalogError, match=r"^ep/poster.jpg: poster is not a readable image"):
        thumbnail(b"not a jpeg", "ep/poster.jpg")


def test_card_thumbnail_is_drawn_once_into_the_library_and_served(client, session, media_root):
    add_episode(session, "ep1", clip_files(media_root), media_root=media_root)
    add_episode(session, "draft1", clip_files(media_root), status="draft", media_root=media_root)
    kept = media_root / thumbnail_relpath("ep/poster.jpg")
    kept.unlink(missing_ok=True)
    src = re.search(r'<img src="([^"]+)" width="320" height="180" loading="lazy" alt="">',
                    page(client, "/")).group(1)
    assert src == "/media/thumb/ep/poster.jpg"
    first = client.get(src)
    assert first.status_code == 200 and first.mimetype == "image/jpeg"
    assert kept.read_bytes() == first.data and len(first.data) <= MAX_BYTES
    assert "max-age=31536000" in first.headers["Cache-Control"]
    os.utime(kept, (1, 1))  # a second request serves the kept file, not a new drawing
    assert client.get(src).data == first.data and kept.stat().st_mtime == 1
    assert client.get("/media/thumb/ep/clip.mp4").status_code == 404  # posters only
    assert client.get("/media/thumb/missing/poster.jpg").status_code == 404


def test_a_broken_poster_gets_no_thumbnail_and_no_500(client, session, media_root, tmp_path):
    folder = media_root / "broken"
    folder.mkdir(exist_ok=True)
    (folder / "poster.jpg").write_bytes(b"not a jpeg")
    add_episode(session, "ep1", {"poster": folder / "poster.jpg"}, media_root=media_root)
    response = client.get("/media/thumb/broken/poster.jpg")
    assert response.status_code == 404 and "无法生成缩略图" in response.get_data(as_text=True)


def test_no_identity_lines_or_logo_when_the_settings_are_unset(client):
    html = page(client, "/")
    for absent in ("主办单位", "网站标识码", "ICP备", "公网安备", "/site-logo", 'class="identity"'):
        assert absent not in html
    assert client.get("/site-logo").status_code == 404


def identity_app(tmp_path, **settings):
    return create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'c.sqlite3'}",
                       **{name.upper(): value for name, value in settings.items()}},
                      environ=isolated_environ(tmp_path / "instance"))


def test_identity_settings_are_shown_in_the_footer_and_the_logo_in_the_header(tmp_path):
    logo = tmp_path / "logo.png"
    Image.new("RGB", (300, 100), (180, 20, 20)).save(logo)
    client = identity_app(tmp_path, site_sponsor="某区人民政府办公室", site_code="1234567890",
                          icp_record="某ICP备12345678号", police_record="某公网安备 43070202000123号",
                          site_logo=str(logo)).test_client()
    html = page(client, "/e/missing", 404)  # every page, error pages too
    assert "<span>主办单位：某区人民政府办公室</span><span>网站标识码：1234567890</span>" in html
    assert '<a href="https://beian.miit.gov.cn/" rel="noopener">某ICP备12345678号</a>' in html
    assert 'code=43070202000123" rel="noopener">某公网安备 43070202000123号</a>' in html
    src = re.search(r'<img src="(/site-logo\?v=[0-9a-f]{12})" width="144" height="48" alt="">', html).group(1)
    served = client.get(src)
    assert served.mimetype == "image/png" and served.data == logo.read_bytes()


@pytest.mark.parametrize("kind", ["svg", "gif", "missing"])
def test_a_logo_that_is_not_a_png_jpeg_or_webp_is_left_out_not_a_broken_page(tmp_path, kind, caplog):
    logo = tmp_path / f"logo.{kind}"
    if kind == "svg":
        logo.write_text("<svg xmlns='http://www.w3.org/2000/svg'/>", encoding="utf-8")
    elif kind == "gif":  # a real picture, but not a type we serve
        Image.new("RGB", (30, 10)).save(logo, "GIF")
    client = identity_app(tmp_path, site_logo=str(logo)).test_client()
    assert "/site-logo" not in page(client, "/")
    assert str(logo) in caplog.text and client.get("/site-logo").status_code == 404


def test_large_print_is_a_preference_cookie_holding_only_1_and_returns_to_the_page(client):
    html = page(client, "/episodes/?page=1")
    link = re.search(r'<p class="mode"><a href="([^"]+)">长辈版（大字）</a>', html).group(1)
    assert link == "/large-print?on=1&amp;next=/episodes/?page%3D1"
    link = link.replace("&amp;", "&")
    switched = client.get(link)
    assert switched.status_code == 302 and switched.headers["Location"] == "/episodes/?page=1"
    cookie = switched.headers["Set-Cookie"]
    assert cookie.startswith("wuling_large_print=1;") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    after = client.get("/episodes/")
    assert '<html lang="zh-CN" class="large-print">' in after.get_data(as_text=True)
    assert "返回标准版" in after.get_data(as_text=True) and "Cookie" in after.headers["Vary"]
    off = client.get("/large-print?on=0&next=/")
    assert "wuling_large_print=;" in off.headers["Set-Cookie"]
    assert '<html lang="zh-CN">' in page(client, "/")


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example"])
def test_large_print_never_redirects_off_the_site(client, target):
    assert client.get("/large-print", query_string={"on": "1", "next": target}).headers["Location"] == "/"
