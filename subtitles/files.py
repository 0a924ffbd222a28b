"""Reading a file someone handed us: the bytes, or one line naming the file and why it
cannot be read (missing, a folder, no permission), in the caller's error type."""
from __future__ import annotations

from pathlib import Path

from subtitles.errors import SubtitleError, WulingError


def read_file(path: Path, what: str = "file", error: type[WulingError] = SubtitleError) -> bytes:
    """The bytes of the file at ``path``, or one line naming it and why it cannot be read
    (as ``error``, the calling package's error type): every reader of ours says it so."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise error(f"no such {what}", path) from None
    except IsADirectoryError:
        raise error(f"is a folder, not a {what}", path) from None
    except OSError as exc:
        raise error(f"cannot read the {what} ({exc.strerror or exc})", path) from None
