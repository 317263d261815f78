"""``python -m supervm_ref`` runs the ``supervm`` command line."""

import sys

from supervm_ref.cli import main

sys.exit(main())
