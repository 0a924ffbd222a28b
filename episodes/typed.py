"""What people type on Chinese keyboards, read the way the parsers expect.

A Chinese input method types the full-width forms of ASCII punctuation and digits:
``19：30``, ``王芳：区司法局``, ``２０２６－１２－０１``. Every parser of typed times and
``姓名:部门`` pairs reads its input through here, so each accepts both forms.

Example::

    halfwidth("2026-12-01　19：30")   # '2026-12-01 19:30'
    name_and_department("王芳：区司法局")  # ('王芳', '区司法局')
"""
from __future__ import annotations

# U+FF01..U+FF5E are the full-width twins of ASCII 0x21..0x7E; U+3000 is the
# ideographic space. Nothing else is touched (NFKC would also rewrite ①, ㎡, …).
_FULLWIDTH_TO_ASCII = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def halfwidth(text: str) -> str:
    """``text`` with full-width ASCII forms as ASCII: ``"１９：３０" → "19:30"``."""
    return text.translate(_FULLWIDTH_TO_ASCII)


def name_and_department(text: str) -> tuple[str, str] | None:
    """Split ``姓名:部门`` at its first colon, half- or full-width; None without one.

    Only the separator is read half-width: the department keeps its own punctuation,
    e.g. ``"王芳：区司法局（法律援助中心）"`` keeps its full-width brackets.
    """
    for index, char in enumerate(text):
        if halfwidth(char) == ":":
            return text[:index].strip(), text[index + 1:].strip()
    return None
