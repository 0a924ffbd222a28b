"""An office script as the words a speaker is meant to say.

Offices write guide-video and call-in scripts in Word or plain text, with things that
are never spoken: speaker labels (主持人：), stage notes (【画面】, （字幕：…）), headings
(一、办理流程). Numbers are written as digits but spoken as words (60日 → 六十日). This
module turns a script into :class:`ScriptToken`\\ s: what a caption shows (``display``)
and what the speaker says (``spoken``), so the aligner can match the spoken form to the
recogniser's words and still caption the office's own writing.
"""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import cn2an

from subtitles.errors import SubtitleError
from subtitles.files import read_file

#: Roles that label who speaks in call-in and guide scripts.
SPEAKER_ROLES = ("主持人", "主播", "嘉宾", "来电听众", "听众", "来电", "记者", "旁白", "画外音",
                 "解说", "问", "答", "群众", "工作人员")
_LABEL = re.compile(r"^\s*([\u4e00-\u9fffA-Za-z0-9·]{1,8})\s*[：:]\s*(?=\S)")
_NOTE_WORDS = ("画面", "字幕", "镜头", "音乐", "音效", "片头", "片尾", "停顿", "笑", "掌声", "旁白",
               "同期声", "空镜", "转场", "注", "备注")
_BRACKET_NOTE = re.compile(r"【[^】]*】|〔[^〕]*〕|\[[^\]]*\]")
_PAREN = re.compile(r"（[^（）]*）|\([^()]*\)")
_HEADING = re.compile(r"^\s*(#+\s*|[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+[.、．]\s*"
                      r"|第[一二三四五六七八九十\d]+[部分章节集期讲])")
_SENTENCE_MARKS = "。？！；，：…"
_NUMBER = re.compile(r"\d+(?:\.\d+)?%?")
_DIGIT_NAMES = "零一二三四五六七八九"


@dataclass(frozen=True)
class ScriptToken:
    """One shown unit of the script: a character, a number or a Latin word.

    ``display`` is written in the caption (with the punctuation that follows it);
    ``spoken`` is what the speaker says for it (empty for punctuation-only text).
    """
    display: str
    spoken: str
    line: int


def load_script(path: Path | str) -> list[ScriptToken]:
    """Tokens of a script file: Word ``.docx`` (offices write scripts in Word) or text."""
    path = Path(path)
    data = read_file(path, "script file")
    if path.suffix.lower() == ".docx":
        return read_script_text(_docx_text(data, path), path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SubtitleError(f"the script is not UTF-8 text (byte {exc.start})", path) from exc
    return read_script_text(text, path)


def _docx_text(data: bytes, path: Path) -> str:
    """The paragraphs of a Word document, one per line (tables' cells too)."""
    import io

    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise SubtitleError(f"not a Word .docx file ({exc})", path) from exc
    lines = [paragraph.text for paragraph in document.paragraphs
             if not _is_heading_style(paragraph.style.name if paragraph.style is not None else "")]
    for table in document.tables:
        lines += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(lines)


def _is_heading_style(name: str) -> bool:
    """Word's title and heading paragraph styles (English or Chinese Word)."""
    return name.lower().startswith(("heading", "title", "subtitle")) or name.startswith(("标题", "副标题"))


def read_script_text(text: str, path: object = None) -> list[ScriptToken]:
    """Tokens of the spoken part of ``text``; a script with nothing to say is an error."""
    if "\x00" in text:
        raise SubtitleError("the script is binary, not text", path)
    labels = _repeated_labels(text)
    tokens: list[ScriptToken] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        tokens += _line_tokens(spoken_line(raw, labels), number)
    if not any(token.spoken for token in tokens):
        raise SubtitleError("the script has no spoken Chinese text", path)
    return tokens


def spoken_line(raw: str, labels: frozenset[str] = frozenset()) -> str:
    """One script line without heading, speaker label and stage notes ('' if nothing is said)."""
    raw = raw.strip().lstrip("\ufeff")
    line = _BRACKET_NOTE.sub("", raw)
    if line != raw and not any(mark in line for mark in _SENTENCE_MARKS) and len(line.strip()) <= 10:
        return ""  # 【画面】片头: what follows a stage note on its own line is direction too
    line = _PAREN.sub(lambda m: "" if _is_note(m.group()) else m.group(), line)
    heading = _HEADING.match(line)
    if heading and not any(mark in line for mark in _SENTENCE_MARKS):
        return ""
    label = _LABEL.match(line)
    if label and (label.group(1) in SPEAKER_ROLES or label.group(1) in labels):
        line = line[label.end():]
    return line.strip()


def _repeated_labels(text: str) -> frozenset[str]:
    """Labels (张主任：) used on two or more lines are speakers, whatever their wording."""
    seen: dict[str, int] = {}
    for raw in text.splitlines():
        match = _LABEL.match(raw.strip())
        if match:
            seen[match.group(1)] = seen.get(match.group(1), 0) + 1
    return frozenset(label for label, count in seen.items() if count >= 2)


def _is_note(bracketed: str) -> bool:
    inner = bracketed[1:-1].strip()
    return inner.startswith(_NOTE_WORDS) or "：" in inner or ":" in inner


def _line_tokens(line: str, number: int) -> list[ScriptToken]:
    tokens: list[ScriptToken] = []
    position = 0
    while position < len(line):
        char = line[position]
        number_match = _NUMBER.match(line, position) if char.isdigit() else None
        latin = re.compile(r"[A-Za-z]+").match(line, position) if char.isascii() and char.isalpha() else None
        if number_match:
            text = number_match.group()
            tokens.append(ScriptToken(text, spoken_number(text, line[number_match.end():]), number))
            position = number_match.end()
        elif latin:
            tokens.append(ScriptToken(latin.group(), latin.group().lower(), number))
            position = latin.end()
        elif char.isalnum():
            tokens.append(ScriptToken(char, char, number))
            position += 1
        else:
            if tokens and tokens[-1].line == number:
                last = tokens[-1]
                tokens[-1] = ScriptToken(last.display + char, last.spoken, number)
            elif not char.isspace():
                tokens.append(ScriptToken(char, "", number))
            position += 1
    return tokens


def spoken_number(digits: str, after: str = "") -> str:
    """How a number written in digits is read aloud in Mandarin.

    Years (2026年) and long digit strings such as phone numbers are read digit by digit;
    other numbers as quantities (120 → 一百二十, 3.5 → 三点五, 50% → 百分之五十).
    """
    percent = digits.endswith("%")
    digits = digits.rstrip("%")
    if (len(digits) == 4 and after.startswith("年")) or (len(digits) >= 5 and "." not in digits):
        return "".join(_DIGIT_NAMES[int(d)] for d in digits)
    words = cn2an.an2cn(digits)
    return "百分之" + words if percent else words
