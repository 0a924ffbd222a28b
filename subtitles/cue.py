"""The cue: what one subtitle shows, and when. Times are integer milliseconds."""
from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Cue:
    start_ms: int
    end_ms: int
    lines: tuple[str, ...]

    @property
    def duration_ms(self) -> int:
        return self.end_ms - self.start_ms

    @property
    def text(self) -> str:
        """All lines joined without a separator: Chinese needs no space between lines."""
        return "".join(self.lines)

    def shifted(self, start_ms: int | None = None, end_ms: int | None = None) -> "Cue":
        return replace(self, start_ms=self.start_ms if start_ms is None else start_ms,
                       end_ms=self.end_ms if end_ms is None else end_ms)
