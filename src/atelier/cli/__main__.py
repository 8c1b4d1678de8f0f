"""`python -m atelier.cli …` is the `atelier` command; launchers such as `accelerate launch -m` need it."""

import sys

from atelier.cli import main

sys.exit(main())
