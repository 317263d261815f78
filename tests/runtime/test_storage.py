"""Storage and the atomic overlay (spec/runtime.md RT-STORAGE-*, RT-ATOMIC-*)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from supervm_ref import InvalidArgumentError, StorageInputError, StorageWriteError, SuperVMError
from supervm_ref.runtime.overlay import StorageOverlay
from supervm_ref.runtime.storage import MemoryStorage, Storage, apply_writes, prefix_end

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


# --- RT-STORAGE-3: inputs are bytes, never coerced --------------------------------------------

NOT_BYTES = [3, 0, -1, 10**9, "k", "", None, 1.5, True, [1], (b"a",), {b"a": 1}, object()]


@pytest.mark.parametrize("bad", NOT_BYTES)
def test_memory_storage_rejects_what_is_not_bytes(bad: object) -> None:
    """RT-STORAGE-3: a key, value or prefix that is not bytes is StorageInputError (an
    InvalidArgumentError, a SuperVMError) and nothing is read or written -- ``set(3, b"x")``
    does not store ``b"\\0\\0\\0"``, ``get(10**9)`` allocates nothing."""
    s = MemoryStorage({b"a": b"1"})
    actions = [lambda: s.get(bad), lambda: s.set(bad, b"x"), lambda: s.set(b"k", bad),
               lambda: s.delete(bad), lambda: s.scan(bad, 5),
               lambda: MemoryStorage([(b"k", bad)])]
    if bad is not None:  # None is a deletion in a batch
        actions.append(lambda: s.apply_batch({b"ok": bad}))  # type: ignore[dict-item]
    try:
        hash(bad)
        actions += [lambda: s.apply_batch({b"ok": b"1", bad: b"x"}),  # type: ignore[dict-item]
                    lambda: MemoryStorage({bad: b"v"})]  # type: ignore[dict-item]
    except TypeError:
        pass
    for action in actions:
        with pytest.raises(StorageInputError) as info:
            action()  # type: ignore[no-untyped-call]
        assert isinstance(info.value, InvalidArgumentError) and isinstance(info.value,
                                                                           SuperVMError)
    assert s.items() == [(b"a", b"1")]


def test_memory_storage_accepts_byte_like_values_and_copies_them() -> None:
    """RT-STORAGE-3: bytearray and memoryview are copied to bytes (a later change of the
    caller's buffer changes nothing stored); a scan limit must be an int."""
    buf = bytearray(b"key")
    s = MemoryStorage([(bytes(buf), memoryview(b"v1"))])  # type: ignore[list-item]
    s.set(buf, bytearray(b"v2"))
    buf[0] = ord("X")
    assert s.items() == [(b"key", b"v2")] and type(s.get(b"key")) is bytes
    assert s.scan(memoryview(b"k"), 1) == [(b"key", b"v2")]
    for bad_limit in ("1", 1.0, None, True):
        with pytest.raises(StorageInputError):
            s.scan(b"", bad_limit)  # type: ignore[arg-type]
    with pytest.raises(StorageInputError):
        MemoryStorage("not a mapping")  # type: ignore[arg-type]
    with pytest.raises(StorageInputError):
        MemoryStorage([(b"k",)])  # type: ignore[list-item]


def test_overlay_rejects_what_is_not_bytes() -> None:
    """RT-STORAGE-3: the call's write buffer checks its inputs as a storage does."""
    overlay = StorageOverlay(MemoryStorage())
    for action in (lambda: overlay.get("k"), lambda: overlay.set(b"k", 4),
                   lambda: overlay.delete(None), lambda: overlay.scan(b"", "2")):
        with pytest.raises(StorageInputError):
            action()  # type: ignore[no-untyped-call]
    assert overlay.diff() == {}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.binary(max_size=3), st.none(), st.integers(), st.text(max_size=2),
                          st.floats(), st.booleans()), min_size=3, max_size=3))
def test_memory_storage_raises_only_its_own_error(args: list[object]) -> None:
    """RT-STORAGE-3, RT-API-2: whatever a caller passes, the storage either works or raises
    StorageInputError; no other exception escapes and a failed call changes nothing."""
    s = MemoryStorage({b"a": b"1"})
    key, value, limit = args
    for name, call in (("get", lambda: s.get(key)), ("set", lambda: s.set(key, value)),
                       ("delete", lambda: s.delete(key)), ("scan", lambda: s.scan(key, limit))):
        before = s.items()
        try:
            call()  # type: ignore[no-untyped-call]
        except StorageInputError:
            assert s.items() == before, name


# --- RT-STORAGE-4: all or nothing ---------------------------------------------------------------


class FailingAt(MemoryStorage):
    """A storage without apply_batch whose ``n``-th set/delete (from 0) raises; with ``undo``
    False every set/delete from the ``n``-th on raises (so putting back fails too)."""

    def __init__(self, items: dict[bytes, bytes], n: int, undo: bool = True) -> None:
        super().__init__(items)
        self.n, self.undo, self.calls = n, undo, 0
        self.apply_batch = None  # type: ignore[assignment,method-assign]

    def _tick(self) -> None:
        self.calls += 1
        if self.calls - 1 == self.n or (not self.undo and self.calls - 1 > self.n):
            raise OSError("disk full")

    def set(self, key: bytes, value: bytes) -> None:
        self._tick()
        super().set(key, value)

    def delete(self, key: bytes) -> None:
        self._tick()
        super().delete(key)


@pytest.mark.parametrize("n", [0, 1, 2])
def test_apply_writes_is_all_or_nothing(n: int) -> None:
    """RT-STORAGE-4: a storage without apply_batch failing at its n-th write gets the keys
    already written put back and the failure is StorageWriteError (not partial); with
    apply_batch the writes go in one call; when putting back fails too, ``partial`` says so."""
    before = {b"a": b"1", b"b": b"2"}
    writes = {b"a": None, b"b": b"two", b"c": b"3"}
    storage = FailingAt(before, n)
    with pytest.raises(StorageWriteError) as info:
        apply_writes(storage, writes)
    assert not info.value.partial and isinstance(info.value.cause, OSError)
    assert storage.items() == sorted(before.items())
    batched = MemoryStorage(before)
    apply_writes(batched, writes)
    assert batched.items() == [(b"b", b"two"), (b"c", b"3")]
    if n < 2:
        doomed = FailingAt(before, n + 1, undo=False)
        with pytest.raises(StorageWriteError) as info:
            apply_writes(doomed, writes)
        assert info.value.partial


def test_interrupted_key_by_key_writes_are_put_back() -> None:
    """RT-STORAGE-4: a write interrupted part-way (KeyboardInterrupt from the storage's
    second set) puts back the keys already written and passes the interrupt on unchanged."""

    class Interrupting(MemoryStorage):
        def __init__(self) -> None:
            super().__init__({b"a": b"old-a", b"b": b"old-b"})
            self.sets = 0
            self.apply_batch = None  # type: ignore[assignment,method-assign]

        def set(self, key: bytes, value: bytes) -> None:
            self.sets += 1
            if self.sets == 2:
                raise KeyboardInterrupt
            super().set(key, value)

    storage = Interrupting()
    with pytest.raises(KeyboardInterrupt):
        apply_writes(storage, {b"a": b"new-a", b"b": b"new-b"})
    assert storage.items() == [(b"a", b"old-a"), (b"b", b"old-b")]


def test_a_released_memoryview_is_a_typed_error() -> None:
    """RT-STORAGE-3: a released memoryview is StorageInputError, not a ValueError."""
    view = memoryview(b"key")
    view.release()
    for action in (lambda: MemoryStorage().get(view), lambda: MemoryStorage().set(b"k", view),
                   lambda: StorageOverlay(MemoryStorage()).get(view)):
        with pytest.raises(StorageInputError):
            action()  # type: ignore[no-untyped-call]
