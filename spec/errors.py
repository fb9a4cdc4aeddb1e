"""The one error type the spec layer raises for bad input.

The CLI turns it into a single line on stderr and exit code 2; nothing else in `spec/`
is allowed to escape as a traceback for input the user controls.
"""


class SpecError(Exception):
    """A spec that cannot be found, read, parsed or trusted; the message is one line."""
