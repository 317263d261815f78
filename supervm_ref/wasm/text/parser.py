"""The token cursor shared by the grammar modules (WebAssembly spec section 6.1: the text
format's grammar is over tokens, with parentheses delimiting s-expressions).

A `Cursor` walks a `Tokens` table; its methods consume one grammar terminal each and raise a
TextError at the current token when the text does not match (WASM-TEXT-ERR-1).
"""

from __future__ import annotations

from typing import NoReturn

from .errors import TextError
from .lexer import ATOM, LPAR, RPAR, STRING, Tokens
from .values import is_reserved, parse_name, parse_string, parse_u32

#: A pseudo kind past the last token.
END = -1


class Cursor:
    """A position in a token table."""

    __slots__ = ("i", "kinds", "match", "n", "texts", "tokens")

    def __init__(self, tokens: Tokens, start: int = 0, stop: int | None = None) -> None:
        self.tokens = tokens
        self.kinds = tokens.kinds
        self.texts = tokens.texts
        self.match = tokens.match
        self.i = start
        self.n = len(tokens.kinds) if stop is None else stop

    # --- looking ------------------------------------------------------------------------

    def kind(self, ahead: int = 0) -> int:
        """The kind of the token ``ahead`` positions on, END past the end."""
        j = self.i + ahead
        return self.kinds[j] if j < self.n else END

    def atom(self, ahead: int = 0) -> str | None:
        """The text of the token ``ahead`` positions on if it is an atom, else None."""
        j = self.i + ahead
        return self.texts[j] if j < self.n and self.kinds[j] == ATOM else None

    def opened(self) -> str | None:
        """If the current token is ``(`` followed by an atom: that atom (a keyword), else
        None."""
        i = self.i
        if i + 1 < self.n and self.kinds[i] == LPAR and self.kinds[i + 1] == ATOM:
            return self.texts[i + 1]
        return None

    def at_close(self) -> bool:
        """Whether the current token is ``)``."""
        return self.i < self.n and self.kinds[self.i] == RPAR

    def peek_id(self) -> str | None:
        """The current token if it is an identifier ``$x``."""
        t = self.atom()
        return t if t is not None and t.startswith("$") else None

    # --- consuming ----------------------------------------------------------------------

    def fail(self, reason: str, at: int | None = None) -> NoReturn:
        """Raise a TextError at the current token (or at token ``at``)."""
        raise self.error(reason, at)

    def error(self, reason: str, at: int | None = None) -> TextError:
        """A TextError at the current token (or at token ``at``)."""
        return self.tokens.error(self.i if at is None else at, reason)

    def unexpected(self) -> NoReturn:
        """Fail at the current token: ``unexpected token`` (or ``unexpected end``)."""
        if self.i >= self.n:
            self.fail("unexpected end")
        self.fail(f"unexpected token {self.texts[self.i]!r}")

    def open(self, keyword: str) -> None:
        """Consume ``( keyword``."""
        if self.opened() != keyword:
            if self.kind() == LPAR and self.kind(1) == ATOM:
                self.fail(f"unexpected token: expected ({keyword}, found ({self.texts[self.i + 1]}")
            self.unexpected()
        self.i += 2

    def close(self) -> None:
        """Consume ``)``."""
        if not self.at_close():
            self.unexpected()
        self.i += 1

    def keyword(self, keyword: str) -> None:
        """Consume the atom ``keyword``."""
        if self.atom() != keyword:
            self.unexpected()
        self.i += 1

    def id_opt(self) -> str | None:
        """Consume an optional identifier."""
        t = self.peek_id()
        if t is not None:
            self.i += 1
        return t

    def take_atom(self) -> str:
        """Consume any atom."""
        t = self.atom()
        if t is None:
            self.unexpected()
        self.i += 1
        return t

    def is_string(self) -> bool:
        """Whether the current token is a string."""
        return self.kind() == STRING

    def string(self) -> bytes:
        """Consume a string (its bytes)."""
        if not self.is_string():
            self.unexpected()
        try:
            data = parse_string(self.texts[self.i])
        except ValueError as e:
            self.fail(str(e))
        self.i += 1
        return data

    def name(self) -> str:
        """Consume a name: a string holding valid UTF-8."""
        if not self.is_string():
            self.unexpected()
        try:
            value = parse_name(self.texts[self.i])
        except ValueError as e:
            self.fail(str(e))
        self.i += 1
        return value

    def u32(self) -> int:
        """Consume a ``u32``."""
        t = self.atom()
        try:
            v = parse_u32(t) if t is not None else None
        except ValueError as e:
            self.fail(str(e))
        if v is None:
            if t is not None and is_reserved(t):
                self.fail(f"unknown operator {t!r}")
            self.unexpected()
        self.i += 1
        return v

    def u32_opt(self) -> int | None:
        """Consume a ``u32`` if the current token is an unsigned integer."""
        t = self.atom()
        if t is None or not t[0].isdigit():
            return None
        return self.u32()

    def skip_sexpr(self) -> None:
        """Skip the s-expression opening at the current ``(``."""
        self.i = self.match[self.i] + 1
