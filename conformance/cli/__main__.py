"""`python -m conformance.cli`: how the run starts the embedded server as a child process."""

import sys

from conformance.cli import main

sys.exit(main())
