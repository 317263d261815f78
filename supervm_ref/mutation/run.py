"""Run one ``supervm`` command with one mutant installed (spec/mutation.md, MUT-RUN-2).

``python -m supervm_ref.mutation.run MUTANT_ID ARGS...`` installs the mutant ``MUTANT_ID`` of
the catalogue (``none``: no mutant, the baseline) into this interpreter and then runs
``supervm ARGS...`` (`supervm_ref.cli.main`); its exit status is the command's. A mutant that
cannot be installed exits with `EXIT_NOT_APPLICABLE`, which no ``supervm`` command uses, so
the caller never mistakes it for a detection.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from .catalogue import BY_ID
from .patch import MutationError

#: MUT-RUN-2: the exit status when the mutant cannot be installed (unknown id, stale target).
EXIT_NOT_APPLICABLE = 3

#: The id that installs nothing.
NO_MUTANT = "none"


def main(argv: Sequence[str] | None = None) -> int:
    """Install the mutant named by the first argument, then run the ``supervm`` command
    line given by the rest."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        print("usage: python -m supervm_ref.mutation.run MUTANT_ID|none SUPERVM_ARGS...",
              file=sys.stderr)
        return 2
    mutant_id, rest = args[0], args[1:]
    if mutant_id != NO_MUTANT:
        mutant = BY_ID.get(mutant_id)
        if mutant is None:
            print(f"supervm mutate: no mutant {mutant_id!r} in the catalogue", file=sys.stderr)
            return EXIT_NOT_APPLICABLE
        try:
            mutant.install()
        except MutationError as e:
            print(f"supervm mutate: {e}", file=sys.stderr)
            return EXIT_NOT_APPLICABLE
    from ..cli import main as supervm

    return supervm(rest)


if __name__ == "__main__":  # pragma: no cover - the command line
    sys.exit(main())
