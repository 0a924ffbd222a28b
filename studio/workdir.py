"""The episode work folder: one fixed layout shared by the pipeline and publishing.

``studio run SOURCE --work DIR`` fills it; ``studio publish DIR`` reads it. The
manifest records, per stage, its outputs and the hash of its inputs and parameters.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class WorkDir:
    root: Path

    @property
    def manifest(self) -> Path:
        return self.root / "manifest.json"

    @property
    def metadata(self) -> Path:
        """episode.json: title, kind, slug, summary, air_date, service_category, guests."""
        return self.root / "episode.json"

    @property
    def transcript(self) -> Path:
        """What the recogniser heard (the model's output, cleaned and speech-aligned)."""
        return self.root / "transcript.json"

    @property
    def corrected_transcript(self) -> Path:
        """The transcript after glossary correction, with every change listed."""
        return self.root / "transcript.corrected.json"

    @property
    def public_transcript(self) -> Path:
        """The corrected transcript without the words heard in private spans: what is published."""
        return self.root / "transcript.public.json"

    @property
    def review(self) -> Path:
        """review.json: every revision of the captions (:class:`subtitles.review.ReviewLog`);
        its current revision is the text every later stage derives from."""
        return self.root / "review.json"

    @property
    def retranscribe_diff(self) -> Path:
        """Where a new machine transcript differs from the reviewed text (kept, not replaced)."""
        return self.root / "retranscribe-diff.json"

    @property
    def departures(self) -> Path:
        """Where the speaker left the script (``--script``), for staff to decide."""
        return self.root / "departures.json"

    def subtitles(self, variant: str, fmt: str) -> Path:
        """variant: 'verbatim' or 'plain'; fmt: 'srt', 'vtt' or 'ass'."""
        return self.root / f"{variant}.{fmt}"

    @property
    def glossary_report(self) -> Path:
        return self.root / "glossary-report.json"

    @property
    def web_video(self) -> Path:
        return self.root / "web.mp4"

    @property
    def burned_video(self) -> Path:
        return self.root / "burned.mp4"

    @property
    def vertical_video(self) -> Path:
        return self.root / "burned-vertical.mp4"

    @property
    def podcast_mp3(self) -> Path:
        return self.root / "podcast.mp3"

    @property
    def podcast_m4a(self) -> Path:
        return self.root / "podcast.m4a"

    @property
    def poster(self) -> Path:
        return self.root / "poster.jpg"

    @property
    def cover(self) -> Path:
        return self.root / "cover.jpg"

    def bumper(self, name: str) -> Path:
        """name: 'intro' or 'outro' (made only with ``--bumpers``)."""
        return self.root / f"{name}.mp4"
