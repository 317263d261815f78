"""Demo 8: objects and ownership (spec/objects.md, spec/routing.md ROUTE-DEMO-1).

The seed's `OwnershipManager` on owned, shared and immutable objects: creation, a transfer, a
share and a freeze, then the refusals with their canonical kinds -- a transfer by someone who
is not the owner, a write to an immutable object, a transfer of a shared object, a transfer of
a frozen object -- and a transaction naming a version that is no longer current.
"""

from __future__ import annotations

from collections.abc import Callable

from ..config import Config
from ..objects import AddressOwner, ObjectData, ObjectError, OwnershipType, Shared
from ..routing import SuperVM
from .world import ALICE, BOB, CAROL, name_of, object_id, transfer

#: The demo's objects, by number.
NAMES = {1: "coin", 2: "registry", 3: "params", 4: "badge", 5: "ticket"}


def describe(obj: ObjectData) -> str:
    """``<name> v<version> <ownership>`` of ``obj``."""
    name = NAMES[int.from_bytes(obj.id, "big")]
    if isinstance(obj.owner, AddressOwner):
        who = f"owned by {name_of(obj.owner.address)}"
    elif isinstance(obj.owner, Shared):
        who = f"shared since v{obj.owner.initial_shared_version}"
    else:
        who = "immutable"
    return f"{name} v{obj.version} {who}"


def refused(what: str, attempt: Callable[[], object]) -> str:
    """``<what> -> refused: <kind>``, or says it was allowed (a bug the test would catch)."""
    try:
        attempt()
    except ObjectError as e:
        return f"{what} -> refused: {e.kind.value}"
    return f"{what} -> allowed"


def run(log: Callable[[str], None], config: Config) -> None:
    """ROUTE-DEMO-1: print the demo 8 lines."""
    vm = SuperVM()
    objects = vm.objects
    log("Demo 8: objects and ownership (OwnershipManager)")
    made = [objects.create_object(object_id(1), ALICE, OwnershipType.OWNED, type_tag="coin"),
            objects.create_object(object_id(2), ALICE, OwnershipType.SHARED, type_tag="registry"),
            objects.create_object(object_id(3), ALICE, OwnershipType.IMMUTABLE,
                                  type_tag="params"),
            objects.create_object(object_id(4), ALICE, OwnershipType.OWNED, type_tag="badge"),
            objects.create_object(object_id(5), ALICE, OwnershipType.OWNED, type_tag="ticket")]
    log("  Created: " + "; ".join(describe(o) for o in made))
    log("  transfer coin alice -> bob -> "
        + describe(objects.transfer_object(object_id(1), ALICE, BOB)))
    log("  share badge (alice) -> " + describe(objects.share_object(object_id(4), ALICE)))
    log("  " + refused("transfer coin by alice (now bob's)",
                       lambda: objects.transfer_object(object_id(1), ALICE, CAROL)))
    log("  " + refused("write params (immutable) by alice",
                       lambda: objects.write_object(object_id(3), ALICE, {b"x": b"1"})))
    log("  " + refused("transfer registry (shared) by alice",
                       lambda: objects.transfer_object(object_id(2), ALICE, BOB)))
    log("  " + refused("transfer badge (shared) by alice",
                       lambda: objects.transfer_object(object_id(4), ALICE, BOB)))
    log("  freeze coin (bob) -> " + describe(objects.freeze_object(object_id(1), BOB)))
    log("  " + refused("transfer coin (frozen) by bob",
                       lambda: objects.transfer_object(object_id(1), BOB, CAROL)))
    # A stale version is a property of a transaction's inputs (OBJ-INPUT-3): bob's transaction
    # names ticket v1 after alice's moved it to v2.
    for who, sender, to in (("alice", ALICE, BOB), ("bob", BOB, CAROL)):
        r = vm.execute_transaction(transfer(sender, 5, 1, to))
        ticket = objects.get(object_id(5))
        assert ticket is not None
        outcome = r.status.value + (f" ({r.error})" if r.error else "")
        log(f"  tx: {who} transfers ticket v1 -> {name_of(to)} -> {outcome}; {describe(ticket)}")
