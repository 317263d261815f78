"""Lexical format (WebAssembly spec section 6.2): characters, tokens, white space, comments.

`tokenize` turns a source text into a `Tokens` table: one kind, text and source offset per
token, and for every ``(`` the index of its matching ``)`` (so a parser can skip a whole
s-expression in one step). Line and column are computed from the offset only when an error is
reported.

Rules (spec/wasm-text.md):

- WASM-TEXT-LEX-1: white space (space, tab, line feed, carriage return), line comments ``;;``
  and nested block comments ``(; ... ;)`` separate tokens; an unclosed block comment is an
  error.
- WASM-TEXT-LEX-2: a token is ``(``, ``)``, a string, or a run of *idchars*; two tokens that are
  neither parentheses must be separated by white space or a comment. A run mixing idchars and
  strings, or a character that belongs to no token, is a *reserved* token: an error
  (``unknown operator``).
- WASM-TEXT-LEX-3: strings hold characters from U+0020 except ``"``, ``\\`` and U+007F, and the
  escapes ``\\t \\n \\r \\" \\' \\\\ \\hh \\u{h+}`` (a code point that is not a surrogate and
  below 0x110000).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from .errors import TextError

#: Token kinds.
LPAR, RPAR, ATOM, STRING = 0, 1, 2, 3

_IDCHARS = r"0-9A-Za-z!#$%&'*+\-./:<=>?@\\^_`|~"
#: One token after optional white space: a line comment, the start of a block comment, a
#: parenthesis, or a run of idchars and strings (classified afterwards).
_TOKEN = re.compile(
    r"[ \t\n\r]*(?:(;;[^\n]*)|(\(;)|(\()|(\))|((?:[" + _IDCHARS + r"]+|\"(?:[^\"\\]|\\.)*\")+))",
    re.DOTALL)
_SPACE = re.compile(r"[ \t\n\r]*")
_ATOM = re.compile(r"[" + _IDCHARS + r"]+\Z")
_STRING_TOKEN = re.compile(r"\"(?:[^\"\\]|\\.)*\"\Z", re.DOTALL)
_BLOCK_COMMENT = re.compile(r"\(;|;\)")


@dataclass(slots=True)
class Tokens:
    """The tokens of one source: parallel lists of kind, text and offset; ``match[i]`` is the
    index of the ``)`` matching a ``(`` at index ``i`` (-1 for other tokens)."""

    source: str
    name: str
    kinds: list[int]
    texts: list[str]
    offsets: list[int]
    match: list[int]
    _lines: list[int] | None = None

    def position(self, offset: int) -> tuple[int, int]:
        """The 1-based (line, column) of a source offset (WASM-TEXT-ERR-1)."""
        if self._lines is None:
            self._lines = [0] + [m.end() for m in re.finditer("\n", self.source)]
        line = bisect.bisect_right(self._lines, offset)
        return line, offset - self._lines[line - 1] + 1

    def error(self, index: int, reason: str) -> TextError:
        """A TextError at token ``index`` (at the end of the source past the last token;
        WASM-TEXT-ERR-1)."""
        offset = self.offsets[index] if index < len(self.offsets) else len(self.source)
        line, column = self.position(offset)
        return TextError(reason, line, column, self.name)


def _error_at(source: str, name: str, offset: int, reason: str) -> TextError:
    t = Tokens(source, name, [], [], [], [])
    line, column = t.position(offset)
    return TextError(reason, line, column, name)


#: The fast path: every token (line comments included) after optional white space; a
#: character that starts no token is a token of its own (and an error).
_FAST = re.compile(
    r"[ \t\n\r]*(;;[^\n]*|\(|\)|(?:[" + _IDCHARS + r"]+|\"(?:[^\"\\]|\\.)*\")+|[^ \t\n\r])",
    re.DOTALL)
#: The idchars (spec 6.2.2), as a set of characters.
_IDSTART = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                     "!#$%&'*+-./:<=>?@\\^_`|~")


def _start1(m: re.Match[str]) -> int:
    return m.start(1)


def tokenize(source: str, name: str = "<input>") -> Tokens:
    """Spec 6.2 Lexical format: split ``source`` into tokens (WASM-TEXT-LEX-1..3).

    Raises TextError for a reserved token, an unclosed string or block comment, and unbalanced
    parentheses. Texts without block comments take a fast path (two passes of one regular
    expression in C, then one loop); the general path handles nested comments."""
    text = _blank_block_comments(source, name) if "(;" in source else source
    texts: list[str] = _FAST.findall(text)
    offsets = list(map(_start1, _FAST.finditer(text)))
    if ";" in text:
        keep = [i for i, t in enumerate(texts) if t[0] != ";" or not t.startswith(";;")]
        if len(keep) != len(texts):
            texts = [texts[i] for i in keep]
            offsets = [offsets[i] for i in keep]
    kinds: list[int] = []
    match: list[int] = [-1] * len(texts)
    opened: list[int] = []
    idstart = _IDSTART
    for i, t in enumerate(texts):
        c = t[0]
        if c == "(":
            opened.append(i)
            kinds.append(LPAR)
        elif c == ")":
            if not opened:
                raise _error_at(source, name, offsets[i], "unexpected token: unbalanced ')'")
            match[opened.pop()] = i
            kinds.append(RPAR)
        elif c == '"':
            if len(t) < 2 or not _STRING_TOKEN.match(t):
                return _tokenize(source, name)  # the general path reports it
            kinds.append(STRING)
        elif c in idstart and '"' not in t and t != "$":
            kinds.append(ATOM)
        else:
            return _tokenize(source, name)
    if opened:
        raise _error_at(source, name, offsets[opened[-1]], "unexpected end: unclosed '('")
    return Tokens(source, name, kinds, texts, offsets, match)


_STRING_OR_COMMENT = re.compile(r'"(?:[^"\\]|\\.)*"|;;[^\n]*|\(;')


def _blank_block_comments(source: str, name: str) -> str:
    """``source`` with every block comment replaced by spaces (so offsets stay), found the way
    the lexer finds them: not inside strings or line comments, nested (WASM-TEXT-LEX-1)."""
    pieces: list[str] = []
    done = pos = 0
    while True:
        m = _STRING_OR_COMMENT.search(source, pos)
        if m is None:
            break
        if m.group() != "(;":
            pos = m.end()
            continue
        start = m.start()
        end = _skip_block_comment(source, name, start)
        pieces.append(source[done:start])
        pieces.append(" " * (end - start))
        done = pos = end
    pieces.append(source[done:])
    return "".join(pieces)


def _tokenize(source: str, name: str) -> Tokens:
    """The general path of `tokenize`."""
    kinds: list[int] = []
    texts: list[str] = []
    offsets: list[int] = []
    match: list[int] = []
    opened: list[int] = []
    pos = 0
    end = len(source)
    token_match = _TOKEN.match
    while True:
        m = token_match(source, pos)
        if m is None:
            pos = _SPACE.match(source, pos).end()  # type: ignore[union-attr]
            if pos >= end:
                break
            ch = source[pos]
            if ch == '"':
                raise _error_at(source, name, pos, "unclosed string")
            raise _error_at(source, name, pos, f"unknown operator: unexpected character {ch!r}")
        group = m.lastindex
        start = m.start(group or 0)
        pos = m.end()
        if group == 5:
            text = m.group(5)
            if text == "$":  # an identifier has one idchar at least (spec 6.3.5)
                raise _error_at(source, name, start, "unknown operator: empty identifier '$'")
            if not _ATOM.match(text):
                if not _STRING_TOKEN.match(text):
                    raise _error_at(source, name, start, f"unknown operator {text!r}")
                kinds.append(STRING)
            else:
                kinds.append(ATOM)
            texts.append(text)
            offsets.append(start)
            match.append(-1)
            if pos < end and source[pos] not in " \t\n\r();":
                raise _error_at(source, name, pos, "unknown operator: tokens must be "
                                "separated by white space")
        elif group == 3:
            opened.append(len(kinds))
            kinds.append(LPAR)
            texts.append("(")
            offsets.append(start)
            match.append(-1)
        elif group == 4:
            if not opened:
                raise _error_at(source, name, start, "unexpected token: unbalanced ')'")
            match[opened.pop()] = len(kinds)
            kinds.append(RPAR)
            texts.append(")")
            offsets.append(start)
            match.append(-1)
        elif group == 2:
            pos = _skip_block_comment(source, name, start)
        # group 1: a line comment, skipped
    if opened:
        raise _error_at(source, name, offsets[opened[-1]], "unexpected end: unclosed '('")
    return Tokens(source, name, kinds, texts, offsets, match)


def _skip_block_comment(source: str, name: str, start: int) -> int:
    """Skip the nested block comment opening at ``start``; return the offset after it."""
    depth = 0
    pos = start
    while True:
        m = _BLOCK_COMMENT.search(source, pos)
        if m is None:
            raise _error_at(source, name, start, "unclosed comment")
        depth += 1 if m.group() == "(;" else -1
        pos = m.end()
        if depth == 0:
            return pos
