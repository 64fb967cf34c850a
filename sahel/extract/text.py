"""Text clean-up that keeps offsets into the text as stored, and the helpers of fast keyword patterns.

:func:`clean` repairs HTML-entity debris (``,quot;`` → ``"``), folds curly quotes, dashes and odd
spaces, reads a lone CR as a line break, drops invisible characters and blanks out lines that repeat
an earlier line (captions printed twice); the result maps each character back to the original.
What stays out: sentences (:mod:`.sentences`) and anything that reads meaning.
"""
from __future__ import annotations

import html
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

_ENTITY = re.compile(r"[&,](quot|apos|amp|nbsp|lt|gt|#\d{1,5}|#x[0-9a-fA-F]{1,4});")
_CHARS = str.maketrans({  # curly quotes, dashes and odd spaces folded; CR: a line break
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
    **dict.fromkeys("\u00a0\u2009\u202f\u2007\u2002\u2003\t", " "), "\r": "\n"})
_FOLD_SPECIAL = {"\u0131": "i", "\u017f": "s", "\u0130": "i"}  # ı, ſ, İ: re.IGNORECASE equates them to i, s, i


def fold_case(text: str) -> str:
    """``text`` lowered as ``re.IGNORECASE`` matches it, same length: a pattern of lower-case Latin
    literals matches it case-sensitively exactly where it matches ``text`` ignoring case."""
    low = text.lower()
    if len(low) == len(text) and "\u0131" not in text and "\u017f" not in text:
        return low
    return "".join(_FOLD_SPECIAL.get(c) or (c.lower() if len(c.lower()) == 1 else c) for c in text)


_DROP = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e", "\u200f", "\u061c",
         *map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A))}
"""Invisible characters (zero-width, soft hyphen, bidi controls) dropped: a word they split is one word."""
_MIN_REPEAT = 30  # characters a line needs before its repetition is dropped


@dataclass(frozen=True)
class Cleaned:
    """Cleaned text and where it comes from: ``pieces`` holds (offset in ``text``, offset in the
    original, end of a replacement in the original or -1) from each edit and each unedited run on;
    a character of an unedited run maps to one original character, one of a replacement to its span."""

    text: str
    pieces: list[tuple[int, int, int]]

    def _origin(self, i: int) -> tuple[int, int]:
        at, start, end = self.pieces[bisect_left(self.pieces, (i + 1,)) - 1]  # the last piece from i or before
        return (start + i - at, start + i - at + 1) if end < 0 else (start, end)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a non-empty ``[start, end)`` span of the cleaned text to the original."""
        return self._origin(start)[0], self._origin(end - 1)[1]


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")


def _repeated_lines(raw: str) -> list[tuple[int, int]]:
    """Spans of lines that repeat (or extend) an earlier line of the text (linear: a trie of words)."""
    lines = [(m.start(), m.group().rstrip("\r\n")) for m in _LINE.finditer(raw)]
    lines = [(start, line, words) for start, line in lines if len(" ".join(words := line.split())) >= _MIN_REPEAT]
    firsts = Counter(words[0] for _, _, words in lines)  # a line whose first word begins no other line: not in the trie
    kept: dict = {}  # the words of each line kept, as a trie; "" marks a line's end
    spans = []
    for start, line, words in lines:
        if firsts[words[0]] == 1:
            continue
        node, repeated = kept, False
        for word in words:
            if "" in node:
                repeated = True
                break
            node = node.setdefault(word, {})
        if repeated or "" in node:
            spans.append((start, start + len(line)))
        else:
            node[""] = {}
    return spans


_SPECIAL = re.compile("[" + re.escape("".join(chr(c) for c in _CHARS) + "".join(_DROP)) + "]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def without_surrogates(text: str) -> str:
    """``text`` with each lone surrogate (not a character: no encoding can write it) as U+FFFD; same length."""
    return _SURROGATE.sub("\ufffd", text)


def clean(raw: str) -> Cleaned:
    """Clean ``raw`` for parsing; see the module docstring."""
    edits: dict[int, tuple[int, str]] = {}  # start -> (end, replacement)
    for a, b in _repeated_lines(raw):
        edits[a] = (b, "")
    for m in _ENTITY.finditer(raw):  # (an edit inside a dropped line is skipped below)
        if m.start() not in edits:
            edits[m.start()] = (m.end(), html.unescape(f"&{m.group(1)};").translate(_CHARS))
    for m in _SPECIAL.finditer(raw):
        if m.start() not in edits:
            ch = m.group()
            crlf = ch == "\r" and raw[m.end():m.end() + 1] == "\n"  # the CR of CRLF: a space; a lone CR: a break
            edits[m.start()] = (m.end(), "" if ch in _DROP else " " if crlf else ch.translate(_CHARS))
    out: list[str] = []
    pieces = []
    i = n = 0  # in raw, in the output
    for a in sorted(edits):
        if a < i:  # inside an earlier edit
            continue
        end, rep = edits[a]
        out += [raw[i:a], rep]
        pieces += [(n, i, -1), (n + a - i, a, end)]
        n += a - i + len(rep)
        i = end
    out.append(raw[i:])
    return Cleaned("".join(out), pieces + [(n, i, -1)])


def _lower_latin(ch: str) -> str:
    if ch != ch.lower() or not (ch.isascii() or ("\u00c0" <= ch <= "\u024f" and ch not in "\u0131\u017f")):
        raise ValueError(f"{ch!r}: not a lower-case Latin letter")  # (ı and ſ are not)
    return ch


def prefix_tree(words: Iterable[str], atom: Callable[[str], str] = re.escape,
                key: Callable[[str], str] = _lower_latin) -> str:
    """Lower-case ``words`` as one pattern shaped as a prefix tree: it matches as their longest-first
    alternation does while no two branches of a node match the same character (``key``: a
    character's branch, checked Latin by default; ``atom``: its pattern)."""
    root: dict = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(key(ch), {})
        node[""] = {}

    def build(node: dict) -> str:
        branches = [atom(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = "|".join(branches)
        if "" in node:  # a word ends here: its longer continuations first
            return "(?:" + body + ")?"
        return "(?:" + body + ")" if len(branches) > 1 else body

    return build(root)
