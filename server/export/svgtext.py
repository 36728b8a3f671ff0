"""Text helpers for the SVG images: XML-safe strings, a width estimate, line wrapping.

SVG has no automatic line breaking, so the image module wraps text itself. Widths are
estimated from character classes measured on DejaVu Sans (the font the images ask for);
a little slack keeps lines inside their boxes with other sans-serif fonts.
"""

from __future__ import annotations

import re
import unicodedata

# Characters XML 1.0 does not allow (C0 controls except tab/LF/CR, lone surrogates, U+FFFE/F).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NARROW = set("ijlıI.,:;'|!`()[]{}/\\ \"ftr-")
_WIDE = set("MWmw@%&")
ELLIPSIS = "…"
# bold DejaVu Sans runs about 10 % wider than regular
BOLD = 1.1


def xml_safe(text: str) -> str:
    """`text` without characters that cannot appear in an XML document at all.

    Escaping of `& < >` and quotes is left to ElementTree, which builds the document.
    """
    return _XML_INVALID.sub("", text)


def char_width(char: str) -> float:
    """Advance width of `char` in em (approximate)."""
    if char in _NARROW:
        return 0.34
    if char in _WIDE:
        return 0.9
    if unicodedata.combining(char):
        return 0.0
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 1.0
    if char.isupper() or char.isdigit():
        return 0.69
    return 0.6


def text_width(text: str, size: float) -> float:
    return sum(char_width(c) for c in text) * size


def _split_word(word: str, width: float, size: float) -> list[str]:
    pieces, current = [], ""
    for char in word:
        if current and text_width(current + char, size) > width:
            pieces.append(current)
            current = char
        else:
            current += char
    if current:
        pieces.append(current)
    return pieces


def wrap(text: str, width: float, size: float, max_lines: int) -> list[str]:
    """Greedy word wrap of `text` into at most `max_lines` lines of `width` px.

    Newlines in `text` start new lines; when text is cut, the last line ends with "…".
    """
    lines: list[str] = []
    truncated = False
    for paragraph in xml_safe(text).replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        words = paragraph.replace("\t", " ").split()
        if not words:
            continue
        current = ""
        for word in words:
            candidate = f"{current} {word}" if current else word
            if text_width(candidate, size) <= width:
                current = candidate
                continue
            if current:
                lines.append(current)
            if text_width(word, size) > width:
                *full, current = _split_word(word, width, size)
                lines.extend(full)
            else:
                current = word
        if current:
            lines.append(current)
        if len(lines) > max_lines:
            break
    if len(lines) > max_lines:
        lines, truncated = lines[:max_lines], True
    if truncated and lines:
        last = lines[-1]
        while last and text_width(last + ELLIPSIS, size) > width:
            last = last[:-1]
        lines[-1] = last.rstrip() + ELLIPSIS
    return lines


def one_line(text: str, width: float, size: float) -> str:
    """`text` on one line, cut with "…" when too wide."""
    full = " ".join(xml_safe(text).split())
    # no character is narrower than 0.3 em: cut long text before measuring it
    cut = full[: int(width / (0.3 * size)) + 2]
    if cut == full and text_width(full, size) <= width:
        return full
    while cut and text_width(cut + ELLIPSIS, size) > width:
        cut = cut[:-1]
    return cut.rstrip() + ELLIPSIS
