"""A small feedgen extension for what feedgen 1.0 lacks.

* Podcasting 2.0 ``<podcast:transcript>`` on items (one per transcript format).
* ``<itunes:explicit>true|false</itunes:explicit>`` on the channel: Apple now asks
  for true/false, while feedgen's podcast extension only writes yes/no/clean.
* Atom ``<link rel="enclosure" type=… length=…>`` on entries: feedgen 1.0 drops
  every attribute but ``href`` from entry links when it writes Atom.

Example::

    fg.register_extension("podcastindex", PodcastIndexExtension, PodcastIndexEntryExtension,
                          atom=False)
    fg.podcastindex.explicit(False)
    entry.podcastindex.transcript("https://…/verbatim.vtt", "text/vtt", "zh-cn")
"""
from __future__ import annotations

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from lxml.etree import SubElement

PODCAST_NS = "https://podcastindex.org/namespace/1.0"
ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"


class PodcastIndexExtension(BaseExtension):
    def __init__(self) -> None:
        self._explicit: bool | None = None

    def extend_ns(self) -> dict[str, str]:
        return {"podcast": PODCAST_NS, "itunes": ITUNES_NS}

    def explicit(self, value: bool) -> None:
        self._explicit = value

    def extend_rss(self, rss):
        if self._explicit is not None:
            channel = rss[0]
            SubElement(channel, f"{{{ITUNES_NS}}}explicit").text = "true" if self._explicit else "false"
        return rss


class PodcastIndexEntryExtension(BaseEntryExtension):
    def __init__(self) -> None:
        self._transcripts: list[dict[str, str]] = []

    def extend_ns(self) -> dict[str, str]:
        return {"podcast": PODCAST_NS}

    def transcript(self, url: str, mime_type: str, language: str, captions: bool = True) -> None:
        """Link a transcript file; ``captions`` marks a timed file players can show."""
        attrs = {"url": url, "type": mime_type, "language": language}
        self._transcripts.append({**attrs, "rel": "captions"} if captions else attrs)

    def extend_rss(self, item):
        for attrs in self._transcripts:
            SubElement(item, f"{{{PODCAST_NS}}}transcript").attrib.update(attrs)
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
