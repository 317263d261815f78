"""Storage and the atomic overlay (spec/runtime.md RT-STORAGE-*, RT-ATOMIC-*)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from supervm_ref.runtime.overlay import StorageOverlay
from supervm_ref.runtime.storage import MemoryStorage, Storage, prefix_end

KEYS = st.binary(min_size=0, max_size=3, )
VALUES = st.binary(max_size=4)


def test_memory_storage_is_a_storage() -> None:
    """RT-STORAGE-1: MemoryStorage implements the protocol: get/set/delete."""
    s = MemoryStorage()
    assert isinstance(s, Storage)
    assert s.get(b"k") is None
    s.set(b"k", b"v")
    s.set(b"k", b"w")
    assert s.get(b"k") == b"w"
    s.delete(b"k")
    s.delete(b"k")  # no effect when absent
    assert s.get(b"k") is None and len(s) == 0
    s.set(b"e", b"")
    assert s.get(b"e") == b""  # an empty value is a value


def test_scan_order_is_unsigned_bytewise() -> None:
    """RT-STORAGE-2: ascending unsigned byte order; prefix filter; limit."""
    s = MemoryStorage({b"b": b"2", b"a\x00": b"1", b"a": b"0", b"\xff": b"x", b"a\xff": b"3"})
    assert [k for k, _ in s.scan(b"", 10)] == [b"a", b"a\x00", b"a\xff", b"b", b"\xff"]
    assert [k for k, _ in s.scan(b"a", 10)] == [b"a", b"a\x00", b"a\xff"]
    assert s.scan(b"a", 2) == [(b"a", b"0"), (b"a\x00", b"1")]
    assert s.scan(b"a", 0) == [] and s.scan(b"a", -1) == []
    assert s.scan(b"\xff", 5) == [(b"\xff", b"x")]
    assert s.scan(b"c", 5) == []


def test_prefix_end() -> None:
    """The bound used by scans: the least key above every key with the prefix."""
    assert prefix_end(b"ab") == b"ac"
    assert prefix_end(b"a\xff") == b"b"
    assert prefix_end(b"\xff\xff") is None and prefix_end(b"") is None


@given(st.dictionaries(KEYS, VALUES, max_size=12), KEYS, st.integers(-1, 15))
def test_scan_matches_a_model(items: dict[bytes, bytes], prefix: bytes, limit: int) -> None:
    """RT-STORAGE-2 against a plain sorted model."""
    expected = sorted((k, v) for k, v in items.items() if k.startswith(prefix))
    assert MemoryStorage(items).scan(prefix, limit) == expected[:max(limit, 0)]


def test_overlay_commit_and_discard() -> None:
    """RT-ATOMIC-1: nothing reaches the base before commit; discard forgets; RT-ATOMIC-2:
    reads see buffered writes and deletions."""
    base = MemoryStorage({b"a": b"1", b"b": b"2"})
    o = StorageOverlay(base)
    o.set(b"a", b"9")
    o.delete(b"b")
    o.set(b"c", b"3")
    assert (o.get(b"a"), o.get(b"b"), o.get(b"c")) == (b"9", None, b"3")
    assert base.items() == [(b"a", b"1"), (b"b", b"2")]
    assert o.diff() == {b"a": b"9", b"b": None, b"c": b"3"}
    o.discard()
    assert o.get(b"a") == b"1" and o.diff() == {}
    o.set(b"a", b"8")
    o.delete(b"b")
    o.commit()
    assert base.items() == [(b"a", b"8")]


class OverlayMachine(RuleBasedStateMachine):
    """RT-ATOMIC-2, RT-STORAGE-2: the overlay behaves exactly like a dict that starts as a copy
    of the base, for get and scan, whatever mix of writes and deletes; commit makes the base
    equal to it; the base never changes before commit."""

    def __init__(self) -> None:
        super().__init__()
        self.initial = {b"a": b"1", b"ab": b"2", b"b": b"3", b"ba": b"4", b"\x00": b"5"}
        self.base = MemoryStorage(self.initial)
        self.overlay = StorageOverlay(self.base)
        self.model = dict(self.initial)

    @rule(key=KEYS, value=VALUES)
    def write(self, key: bytes, value: bytes) -> None:
        self.overlay.set(key, value)
        self.model[key] = value

    @rule(key=KEYS)
    def delete(self, key: bytes) -> None:
        self.overlay.delete(key)
        self.model.pop(key, None)

    @rule(key=KEYS)
    def get(self, key: bytes) -> None:
        assert self.overlay.get(key) == self.model.get(key)

    @rule(prefix=st.binary(max_size=2), limit=st.integers(0, 8))
    def scan(self, prefix: bytes, limit: int) -> None:
        expected = sorted((k, v) for k, v in self.model.items() if k.startswith(prefix))
        assert self.overlay.scan(prefix, limit) == expected[:limit]

    @invariant()
    def base_unchanged(self) -> None:
        assert dict(self.base.items()) == self.initial

    def teardown(self) -> None:
        self.overlay.commit()
        assert dict(self.base.items()) == self.model


TestOverlay = OverlayMachine.TestCase
TestOverlay.settings = settings(max_examples=60, stateful_step_count=25, deadline=None)


class RecordingStorage(MemoryStorage):
    """Counts reads."""

    def __init__(self) -> None:
        super().__init__()
        self.reads = 0

    def get(self, key: bytes) -> bytes | None:
        self.reads += 1
        return super().get(key)


def test_commit_uses_apply_batch_and_never_reads() -> None:
    """RT-ATOMIC-3: the overlay commits through apply_batch in one go and never reads the
    base; a base without apply_batch is written key by key."""
    base = RecordingStorage()
    o = StorageOverlay(base)
    o.set(b"a", b"1")
    o.delete(b"b")
    o.commit()
    assert base.reads == 0 and base.items() == [(b"a", b"1")]

    class Plain:
        def __init__(self) -> None:
            self.log: list[tuple[str, bytes]] = []

        def get(self, key: bytes) -> bytes | None:
            raise AssertionError("commit must not read")

        def set(self, key: bytes, value: bytes) -> None:
            self.log.append(("set", key))

        def delete(self, key: bytes) -> None:
            self.log.append(("delete", key))

        def scan(self, prefix: bytes, limit: int) -> list[tuple[bytes, bytes]]:
            return []

    plain = Plain()
    o = StorageOverlay(plain)
    o.set(b"z", b"1")
    o.delete(b"a")
    o.commit()
    assert plain.log == [("delete", b"a"), ("set", b"z")]
