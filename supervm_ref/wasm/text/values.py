"""Values (WebAssembly spec section 6.3): integers, floating-point numbers, strings, names and
identifiers.

Each function takes the text of one token and returns the value, or None when the token is not
of that class at all (so the caller can report ``unexpected token``); a token of the right
shape whose value does not fit raises `ValueError` with the suite's wording (``constant out of
range``), which the parser turns into a TextError at the token.

Rules (spec/wasm-text.md):

- WASM-TEXT-NUM-1: integers are decimal or ``0x`` hexadecimal with an optional sign; ``_``
  may separate two digits. ``iN`` accepts -2^(N-1) .. 2^N - 1 and is stored as the unsigned
  bit pattern; ``uN`` has no sign.
- WASM-TEXT-NUM-2: floats are decimal or hexadecimal with optional fraction and exponent,
  ``inf``, ``nan`` (the canonical NaN) and ``nan:0xN`` (payload 1 <= N < 2^mantissa bits); the
  value is rounded to nearest, ties to even, exactly (no double rounding); a finite literal
  that rounds to infinity is out of range.
- WASM-TEXT-STR-1: a string denotes bytes (UTF-8 of its characters, escapes as raw bytes); a
  *name* is a string whose bytes are valid UTF-8 (else ``malformed UTF-8 encoding``).
"""

from __future__ import annotations

import re

_DEC = r"[0-9](?:_?[0-9])*"
_HEX = r"[0-9A-Fa-f](?:_?[0-9A-Fa-f])*"
_INT = re.compile(r"([+-]?)(?:0x(" + _HEX + r")|(" + _DEC + r"))\Z")
_FLOAT_DEC = re.compile(
    r"([+-]?)(" + _DEC + r")(?:\.(" + _DEC + r")?)?(?:[eE]([+-]?" + _DEC + r"))?\Z")
_FLOAT_HEX = re.compile(
    r"([+-]?)0x(" + _HEX + r")(?:\.(" + _HEX + r")?)?(?:[pP]([+-]?" + _DEC + r"))?\Z")
_FLOAT_SPECIAL = re.compile(r"([+-]?)(?:(inf)|nan(?::0x(" + _HEX + r"))?)\Z")

OUT_OF_RANGE = "constant out of range"

#: (mantissa bits, exponent bits) of f32 and f64.
F32_FORMAT = (23, 8)
F64_FORMAT = (52, 11)


def _int(digits: str, base: int) -> int:
    """``int(digits, base)`` for any length (Python limits the length of a decimal string)."""
    if len(digits) <= 4000:
        return int(digits, base)
    value = 0
    for i in range(0, len(digits), 4000):
        chunk = digits[i:i + 4000]
        value = value * base ** len(chunk) + int(chunk, base)
    return value


def parse_int(text: str) -> tuple[bool, int] | None:
    """The (has sign, value) of an integer token, or None if it is not one (WASM-TEXT-NUM-1)."""
    m = _INT.match(text)
    if m is None:
        return None
    sign, hexdigits, decdigits = m.groups()
    value = _int(hexdigits.replace("_", ""), 16) if hexdigits else _int(
        decdigits.replace("_", ""), 10)
    return bool(sign), -value if sign == "-" else value


def parse_u32(text: str) -> int | None:
    """A ``u32`` token (no sign; WASM-TEXT-NUM-1); ValueError if it does not fit."""
    r = parse_int(text)
    if r is None or r[0]:
        return None
    if r[1] >= 1 << 32:
        raise ValueError("i32 constant out of range")
    return r[1]


def parse_iN(text: str, bits: int) -> int | None:
    """An ``iN`` token as the unsigned bit pattern (WASM-TEXT-NUM-1); ValueError if out of
    range."""
    r = parse_int(text)
    if r is None:
        return None
    v = r[1]
    if not -(1 << (bits - 1)) <= v < (1 << bits):
        raise ValueError(OUT_OF_RANGE)
    return v & ((1 << bits) - 1)


def _round(num: int, den: int, mbits: int, ebits: int) -> int:
    """The bits (sign excluded) of the positive rational num/den rounded to nearest, ties to
    even, in the binary format with ``mbits`` mantissa and ``ebits`` exponent bits."""
    if num == 0:
        return 0
    bias = (1 << (ebits - 1)) - 1
    emin = 1 - bias  # exponent of the smallest normal number
    # e such that 2^e <= num/den < 2^(e+1)
    e = num.bit_length() - den.bit_length()
    if (num << max(0, -e)) < (den << max(0, e)):
        e -= 1
    e = max(e, emin)
    shift = mbits - e  # scale so the mantissa is an integer: q = num/den * 2^shift
    n, d = (num << shift, den) if shift >= 0 else (num, den << -shift)
    q, r = divmod(n, d)
    if 2 * r > d or (2 * r == d and q & 1):
        q += 1
    if q >= 1 << (mbits + 1):  # the rounding carried into the next binade
        q >>= 1
        e += 1
    if q < 1 << mbits:  # subnormal (e == emin) or zero
        return q
    biased = e + bias
    if biased >= (1 << ebits) - 1:
        raise ValueError(OUT_OF_RANGE)
    return (biased << mbits) | (q - (1 << mbits))


def parse_float(text: str, fmt: tuple[int, int]) -> int | None:
    """A float token (WASM-TEXT-NUM-2) as the IEEE 754 bit pattern of the format ``fmt``
    (`F32_FORMAT` or `F64_FORMAT`), or None if the token is not a float; ValueError if out of
    range. Integer tokens are floats too."""
    mbits, ebits = fmt
    sign_bit = 1 << (mbits + ebits)
    exp_all = ((1 << ebits) - 1) << mbits
    m = _FLOAT_DEC.match(text)
    if m is not None:
        sign, whole, frac, exp = m.groups()
        digits = (whole + (frac or "")).replace("_", "")
        e10 = (_int(exp.replace("_", ""), 10) if exp else 0) - len(
            (frac or "").replace("_", ""))
        n = _int(digits, 10)
        if n == 0:
            bits = 0
        elif e10 >= 0:
            if e10 > 400:
                raise ValueError(OUT_OF_RANGE)
            bits = _round(n * 10 ** e10, 1, mbits, ebits)
        elif -e10 > 400 + len(digits):
            bits = 0 if n == 0 else _round(1, 1 << 1200, mbits, ebits)  # rounds to zero
        else:
            bits = _round(n, 10 ** -e10, mbits, ebits)
        return bits | (sign_bit if sign == "-" else 0)
    m = _FLOAT_HEX.match(text)
    if m is not None:
        sign, whole, frac, exp = m.groups()
        frac = (frac or "").replace("_", "")
        n = _int(whole.replace("_", "") + frac, 16)
        e2 = (_int(exp.replace("_", ""), 10) if exp else 0) - 4 * len(frac)
        if n == 0:
            bits = 0
        elif e2 >= 0:
            if e2 > 2000:
                raise ValueError(OUT_OF_RANGE)
            bits = _round(n << e2, 1, mbits, ebits)
        elif -e2 > 2000 + n.bit_length():
            bits = 0
        else:
            bits = _round(n, 1 << -e2, mbits, ebits)
        return bits | (sign_bit if sign == "-" else 0)
    m = _FLOAT_SPECIAL.match(text)
    if m is not None:
        sign, inf, payload = m.groups()
        if inf:
            bits = exp_all
        elif payload is None:
            bits = exp_all | (1 << (mbits - 1))
        else:
            p = _int(payload.replace("_", ""), 16)
            if not 1 <= p < 1 << mbits:
                raise ValueError(OUT_OF_RANGE)
            bits = exp_all | p
        return bits | (sign_bit if sign == "-" else 0)
    return None


_KEYWORD_OR_ID = re.compile(r"(?:\$|[a-z])[" + "0-9A-Za-z!#$%&'*+\\-./:<=>?@\\\\^_`|~" + r"]*\Z")


def is_reserved(text: str) -> bool:
    """Whether an atom is a *reserved* token (spec 6.2.2): neither a keyword, an identifier
    nor a number, like ``0x``, ``1_`` or ``0$l`` (WASM-TEXT-LEX-2: ``unknown operator``)."""
    if _KEYWORD_OR_ID.match(text) and text != "$":
        return False
    try:
        return parse_float(text, F64_FORMAT) is None
    except ValueError:
        return False


_ESCAPES = {"t": b"\t", "n": b"\n", "r": b"\r", '"': b'"', "'": b"'", "\\": b"\\"}
_HEXDIGITS = frozenset("0123456789abcdefABCDEF")


def parse_string(token: str) -> bytes:
    """The bytes of a string token, quotes included (WASM-TEXT-LEX-3, WASM-TEXT-STR-1);
    ValueError for an illegal character or escape."""
    body = token[1:-1]
    if "\\" not in body:
        _check_chars(body)
        return body.encode("utf-8", "surrogateescape")
    out = bytearray()
    i, n = 0, len(body)
    while i < n:
        j = body.find("\\", i)
        if j < 0:
            j = n
        chunk = body[i:j]
        _check_chars(chunk)
        out += chunk.encode("utf-8", "surrogateescape")
        if j == n:
            break
        c = body[j + 1]
        if c in _ESCAPES:
            out += _ESCAPES[c]
            i = j + 2
        elif c == "u":
            m = re.compile(r"u\{(" + _HEX + r")\}").match(body, j + 1)
            if m is None:
                raise ValueError("malformed escape in string")
            cp = int(m.group(1).replace("_", ""), 16)
            if cp >= 0x110000 or 0xD800 <= cp < 0xE000:
                raise ValueError("malformed UTF-8 encoding: escape of a non-character")
            out += chr(cp).encode("utf-8")
            i = m.end()
        elif c in _HEXDIGITS and j + 2 < n and body[j + 2] in _HEXDIGITS:
            out.append(int(body[j + 1:j + 3], 16))
            i = j + 3
        else:
            raise ValueError("malformed escape in string")
    return bytes(out)


def _check_chars(chunk: str) -> None:
    for ch in chunk:
        if ch < " " or ch == "\x7f":
            raise ValueError("illegal control character in string")


def parse_name(token: str) -> str:
    """A name (spec 6.3.4): a string whose bytes are valid UTF-8 (WASM-TEXT-STR-1)."""
    data = parse_string(token)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("malformed UTF-8 encoding") from None
