"""The test modules pytest collects in a run: one schemathesis test per operation, pagination, lifecycle."""
