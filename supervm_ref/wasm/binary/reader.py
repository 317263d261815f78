"""Values of the binary format (WebAssembly spec section 5.2): bytes, LEB128 integers,
floating-point numbers, names and vectors, read from a byte stream.

`Reader` is a cursor over the whole module. Like the spec's reference interpreter it reads
section contents without a separate sub-stream: the section decoder (`sections.py`) checks
afterwards that exactly the declared number of bytes was consumed. Every failure is a
`DecodeError` whose reason is the text used by the official test suite's ``assert_malformed``
commands where one exists.
"""

from __future__ import annotations

from ..errors import DecodeError

#: Reason used whenever a read runs past the end of the binary inside a section or function.
UNEXPECTED_END = "unexpected end of section or function"


class Reader:
    """A read cursor over a binary module (spec 5.1.3: the input is a byte sequence).

    ``pos`` is the offset of the next byte to read.
    """

    __slots__ = ("data", "end", "pos")

    def __init__(self, data: bytes, pos: int = 0) -> None:
        self.data = data
        self.end = len(data)
        self.pos = pos

    # --- Raw bytes (5.2.1) ---------------------------------------------------------------

    def at_end(self) -> bool:
        """True when every byte has been read."""
        return self.pos >= self.end

    def peek(self) -> int | None:
        """The next byte without consuming it, or None at the end of the binary."""
        if self.pos >= self.end:
            return None
        return self.data[self.pos]

    def byte(self) -> int:
        """Spec 5.2.1 Bytes: read one byte."""
        pos = self.pos
        if pos >= self.end:
            raise DecodeError(UNEXPECTED_END, self.end)
        self.pos = pos + 1
        return self.data[pos]

    def read_bytes(self, n: int) -> bytes:
        """Read the next ``n`` raw bytes."""
        pos = self.pos
        if pos + n > self.end:
            raise DecodeError(UNEXPECTED_END, self.end)
        self.pos = pos + n
        return self.data[pos:pos + n]

    def expect_zero(self, what: str = "") -> None:
        """Read a reserved byte that must be 0x00 (spec 5.4.6, memory instructions)."""
        pos = self.pos
        if self.byte() != 0x00:
            detail = f" ({what})" if what else ""
            raise DecodeError("zero byte expected" + detail, pos)

    # --- Integers (5.2.2) ------------------------------------------------------------------

    def uleb(self, bits: int) -> int:
        """Spec 5.2.2: an unsigned LEB128 integer ``uN`` of at most ``ceil(N / 7)`` bytes.

        Unused bits of the last byte must be zero ("integer too large"); a longer encoding is
        "integer representation too long".
        """
        data = self.data
        pos = self.pos
        if pos < self.end:
            b = data[pos]
            if b < 0x80 and (bits >= 7 or b < (1 << bits)):
                self.pos = pos + 1
                return b
        result = 0
        shift = 0
        remaining = bits
        while True:
            if remaining <= 0:
                raise DecodeError("integer representation too long", self.pos)
            b = self.byte()
            if remaining < 7 and (b & 0x7F) >= (1 << remaining):
                raise DecodeError("integer too large", self.pos - 1)
            result |= (b & 0x7F) << shift
            if b < 0x80:
                return result
            shift += 7
            remaining -= 7

    def sleb(self, bits: int) -> int:
        """Spec 5.2.2: a signed LEB128 integer ``sN`` (two's complement, sign-extended from
        the last byte). Unused bits of the last byte must all equal the sign bit."""
        data = self.data
        pos = self.pos
        if pos < self.end and bits >= 7:
            b = data[pos]
            if b < 0x80:
                self.pos = pos + 1
                return b - 0x80 if b & 0x40 else b
        result = 0
        shift = 0
        remaining = bits
        while True:
            if remaining <= 0:
                raise DecodeError("integer representation too long", self.pos)
            b = self.byte()
            if remaining < 7:
                mask = (-1 << (remaining - 1)) & 0x7F
                if b & mask not in (0, mask):
                    raise DecodeError("integer too large", self.pos - 1)
            result |= (b & 0x7F) << shift
            shift += 7
            remaining -= 7
            if b < 0x80:
                if b & 0x40:
                    result -= 1 << shift
                return result

    def u32(self) -> int:
        """Spec 5.2.2: ``u32``, used for indices, counts and sizes."""
        return self.uleb(32)

    def s32(self) -> int:
        """Spec 5.2.2: ``s32`` (the signed value)."""
        return self.sleb(32)

    def s33(self) -> int:
        """Spec 5.2.2: ``s33``, used by block types (spec 5.4.1)."""
        return self.sleb(33)

    def s64(self) -> int:
        """Spec 5.2.2: ``s64`` (the signed value)."""
        return self.sleb(64)

    # --- Floating point (5.2.3) -----------------------------------------------------------

    def f32_bits(self) -> int:
        """Spec 5.2.3: an f32 as its IEEE 754 bit pattern (4 bytes, little endian)."""
        return int.from_bytes(self.read_bytes(4), "little")

    def f64_bits(self) -> int:
        """Spec 5.2.3: an f64 as its IEEE 754 bit pattern (8 bytes, little endian)."""
        return int.from_bytes(self.read_bytes(8), "little")

    # --- Lengths, names, vectors (5.1.3, 5.2.4) -------------------------------------------

    def length(self) -> int:
        """A ``u32`` length (of a vector, name, byte string, section or function body).

        A length larger than the rest of the binary, counted from the length field itself,
        cannot be right and is "length out of bounds" (as in the reference interpreter); so a
        vector count also bounds the work done for it, since every element takes at least
        one byte.
        """
        start = self.pos
        n = self.uleb(32)
        if n > self.end - start:
            raise DecodeError("length out of bounds", start)
        return n

    def byte_string(self) -> bytes:
        """Spec 5.1.3 ``vec(byte)``: a length followed by that many raw bytes."""
        return self.read_bytes(self.length())

    def name(self) -> str:
        """Spec 5.2.4 Names: a ``vec(byte)`` that must be valid UTF-8 (strictly: no
        surrogates, no overlong forms, nothing above U+10FFFF)."""
        start = self.pos
        raw = self.byte_string()
        try:
            return raw.decode("utf-8", errors="strict")
        except UnicodeDecodeError:
            raise DecodeError("malformed UTF-8 encoding", start) from None
