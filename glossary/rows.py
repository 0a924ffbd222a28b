"""Raw CSV rows of a term base, with their file and line, before validation.

Comms staff edit the CSV in Excel or WPS: a UTF-8 BOM, CRLF line ends, trailing
empty columns and Chinese column headers are all accepted. A file saved as GBK is
refused with a message that says how to save it as UTF-8.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from glossary.errors import GlossaryError

COLUMNS = ("term", "plain", "explanation", "category", "variants", "status", "mode",
           "kind", "later", "pos", "only_after", "not_after", "only_before", "not_before",
           "example", "source", "note")
# Columns after "mode" are optional: a term base written before they existed still loads.
CONTEXT_COLUMNS = ("only_after", "not_after", "only_before", "not_before")
HEADER_ALIASES = {"术语": "term", "白话": "plain", "通俗说法": "plain", "解释": "explanation",
                  "类别": "category", "分类": "category", "变体": "variants", "状态": "status",
                  "模式": "mode", "名称类型": "kind", "后续提及": "later", "词性": "pos",
                  "前面只能是": "only_after", "前面不能是": "not_after",
                  "后面只能是": "only_before", "后面不能是": "not_before",
                  "例句": "example", "来源": "source", "出处": "source", "备注": "note"}
REQUIRED = ("term", "plain")


@dataclass(frozen=True)
class Row:
    path: str
    line: int
    values: dict[str, str]

    def get(self, column: str) -> str:
        return self.values.get(column, "").strip()


def decode(data: bytes, path: object) -> str:
    """UTF-8 (with or without BOM); a clear refusal for anything else."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        hint = _encoding_hint(data)
        raise GlossaryError(f"not UTF-8 (byte {exc.start}){hint}; save it as UTF-8 "
                           "(in Excel: 'CSV UTF-8')",
                            path) from exc


def _encoding_hint(data: bytes) -> str:
    try:
        data.decode("gbk")
    except UnicodeDecodeError:
        return ""
    return ", looks like GBK (Excel's default 'CSV' on Chinese Windows)"


def parse(text: str, path: object = "<string>") -> list[Row]:
    """Rows of ``text`` keyed by canonical column name; blank lines are skipped."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [_column(name) for name in next(reader, [])]
        while header and not header[-1]:
            header.pop()  # Excel's trailing empty columns
        _check_header(header, path)
        return [Row(str(path), reader.line_num, dict(zip(header, cells)))
                for cells in reader if any(cell.strip() for cell in cells)]
    except csv.Error as exc:
        raise GlossaryError(f"broken CSV ({exc})", path, reader.line_num) from exc


def _column(name: str) -> str:
    name = name.strip().lower()
    return HEADER_ALIASES.get(name, name)


def _check_header(header: list[str], path: object) -> None:
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise GlossaryError(f"missing column(s) {', '.join(missing)}; the header row needs "
                            f"{', '.join(COLUMNS)}", path, 1)
    unknown = [column for column in header if column not in COLUMNS]
    if unknown:
        raise GlossaryError(f"unknown column(s) {', '.join(unknown)}; known: {', '.join(COLUMNS)}",
                            path, 1)


def read_rows(path: Path | str) -> list[Row]:
    """Rows of one CSV file, or of every ``*.csv`` in a folder (sorted by name)."""
    path = Path(path)
    files = sorted(path.glob("*.csv")) if path.is_dir() else [path]
    if path.is_dir() and not files:
        raise GlossaryError("folder holds no .csv term base", path)
    rows = []
    for file in files:
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise GlossaryError(f"cannot read term base ({exc.strerror})", file) from exc
        rows += parse(decode(data, file), file)
    return rows
