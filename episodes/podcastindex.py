"""A small feedgen extension for what feedgen 1.0 lacks.

* Podcasting 2.0: ``<podcast:guid>`` and ``<podcast:locked>`` on the channel;
  ``<podcast:transcript>`` (one per transcript format), ``<podcast:chapters>`` and
  ``<podcast:person>`` on items.
* ``<itunes:explicit>true|false</itunes:explicit>`` on the channel: Apple now asks
  for true/false, while feedgen's podcast extension only writes yes/no/clean.
* Atom ``<link rel="enclosure" type=… length=…>`` on entries: feedgen 1.0 drops
  every attribute but ``href`` from entry links when it writes Atom.

Example::

    fg.register_extension("podcastindex", PodcastIndexExtension, PodcastIndexEntryExtension,
                          atom=False)
    fg.podcastindex.explicit(False)
    fg.podcastindex.guid("917393e3-1b1e-5cef-ace4-edaa54e1f810")
    fg.podcastindex.locked(False, owner="podcast@example.gov.cn")
    entry.podcastindex.transcript("https://…/verbatim.vtt", "text/vtt", "zh-cn")
    entry.podcastindex.chapters("https://…/chapters.json", "application/json+chapters")
    entry.podcastindex.person("李明（区自然资源局）", role="guest", group="cast")
"""
from __future__ import annotations

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from lxml.etree import SubElement

PODCAST_NS = "https://podcastindex.org/namespace/1.0"
ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"


class PodcastIndexExtension(BaseExtension):
    def __init__(self) -> None:
        self._explicit: bool | None = None
        self._guid = ""
        self._locked: tuple[str, dict[str, str]] | None = None

    def extend_ns(self) -> dict[str, str]:
        return {"podcast": PODCAST_NS, "itunes": ITUNES_NS}

    def explicit(self, value: bool) -> None:
        self._explicit = value

    def guid(self, value: str) -> None:
        """The podcast's identity across moves (a UUIDv5 string)."""
        self._guid = value

    def locked(self, value: bool, owner: str = "") -> None:
        """Whether other hosting platforms must refuse to import the feed."""
        self._locked = ("yes" if value else "no", {"owner": owner} if owner else {})

    def extend_rss(self, rss):
        channel = rss[0]
        if self._explicit is not None:
            SubElement(channel, f"{{{ITUNES_NS}}}explicit").text = "true" if self._explicit else "false"
        if self._guid:
            SubElement(channel, f"{{{PODCAST_NS}}}guid").text = self._guid
        if self._locked is not None:
            text, attrs = self._locked
            SubElement(channel, f"{{{PODCAST_NS}}}locked", attrs).text = text
        return rss


class PodcastIndexEntryExtension(BaseEntryExtension):
    def __init__(self) -> None:
        self._transcripts: list[dict[str, str]] = []
        self._chapters: dict[str, str] = {}
        self._persons: list[tuple[str, dict[str, str]]] = []

    def extend_ns(self) -> dict[str, str]:
        return {"podcast": PODCAST_NS}

    def transcript(self, url: str, mime_type: str, language: str, captions: bool = True) -> None:
        """Link a transcript file; ``captions`` marks a timed file players can show."""
        attrs = {"url": url, "type": mime_type, "language": language}
        self._transcripts.append({**attrs, "rel": "captions"} if captions else attrs)

    def chapters(self, url: str, mime_type: str) -> None:
        self._chapters = {"url": url, "type": mime_type}

    def person(self, name: str, role: str, group: str) -> None:
        """A person of the episode; ``role`` and ``group`` from the Podcast Taxonomy."""
        self._persons.append((name, {"role": role, "group": group}))

    def extend_rss(self, item):
        for attrs in self._transcripts:
            SubElement(item, f"{{{PODCAST_NS}}}transcript").attrib.update(attrs)
        if self._chapters:
            SubElement(item, f"{{{PODCAST_NS}}}chapters", self._chapters)
        for name, attrs in self._persons:
            SubElement(item, f"{{{PODCAST_NS}}}person", attrs).text = name
        return item


class AtomEnclosureEntryExtension(BaseEntryExtension):
    def __init__(self) -> None:
        self._links: list[dict[str, str]] = []

    def enclosure(self, url: str, length: int, mime_type: str) -> None:
        self._links.append({"href": url, "rel": "enclosure", "type": mime_type,
                            "length": str(length)})

    def extend_atom(self, entry):
        for attrs in self._links:
            SubElement(entry, "link").attrib.update(attrs)
        return entry
