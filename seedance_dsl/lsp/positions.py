"""Character offsets ↔ LSP positions (line, UTF-16 code unit or code point column).

The language's spans carry character offsets (``Span.start_pos``/``end_pos``, code points
into the text).  LSP positions count lines from 0 and columns in the encoding agreed at
``initialize`` (UTF-16 by default).  :class:`LineIndex` converts both ways in O(log n).
"""

from __future__ import annotations

import bisect


class LineIndex:
    """The start offset of every line of a text, for position conversions."""

    __slots__ = ("_starts", "encoding", "text")

    def __init__(self, text: str, *, encoding: str = "utf-16") -> None:
        self.text = text
        self.encoding = encoding  # "utf-8", "utf-16" or "utf-32" (as agreed at initialize)
        starts = [0]
        find = text.find
        i = find("\n")
        while i >= 0:
            starts.append(i + 1)
            i = find("\n", i + 1)
        self._starts = starts

    def _unit(self, c: str) -> int:
        o = ord(c)
        if self.encoding == "utf-16":
            return 2 if o > 0xFFFF else 1
        if self.encoding == "utf-8":
            return 1 if o < 0x80 else 2 if o < 0x800 else 3 if o < 0x10000 else 4
        return 1

    def _units(self, s: str) -> int:
        if self.encoding == "utf-32" or s.isascii():
            return len(s)
        return sum(self._unit(c) for c in s)

    def position(self, offset: int) -> tuple[int, int]:
        """(line, column) of a character offset, both 0-based, column in client units."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self._starts, offset) - 1
        start = self._starts[line]
        return line, self._units(self.text[start:offset])

    def offset(self, line: int, column: int) -> int:
        """The character offset of an LSP position (clamped to the text)."""
        if line < 0:
            return 0
        if line >= len(self._starts):
            return len(self.text)
        start = self._starts[line]
        end = self._starts[line + 1] - 1 if line + 1 < len(self._starts) else len(self.text)
        if self.encoding == "utf-32":
            return min(start + max(column, 0), end)
        units = 0
        i = start
        while i < end and units < column:
            units += self._unit(self.text[i])
            i += 1
        return i

    def line_count(self) -> int:
        return len(self._starts)

    def line_of(self, offset: int) -> int:
        return self.position(offset)[0]
