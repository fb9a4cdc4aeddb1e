"""The run engine: options -> target -> preflight -> the pytest session (plugin, context, phases) -> verdict."""
