"""Rules on operations as a whole: removed, added, deprecated, path parameters renamed."""

from spec.diff.pairs import OperationPair
from spec.diff.rules import Hit, diff_rule


@diff_rule("operation-removed", "breaking", "An operation is no longer in the spec.", side="operation")
def operation_removed(pair: OperationPair):
    """Operations match by method and path template (base path included, parameter names
    ignored). A client calling one that is gone gets 404 or 405."""
    if pair.old is not None and pair.new is None:
        yield Hit(pair.old_place(), pair.new_place(), f"{pair.old.label} removed")


@diff_rule("operation-added", "info", "An operation was added.", side="operation")
def operation_added(pair: OperationPair):
    """New capability; no existing client is affected (drift lists these as what a client lacks)."""
    if pair.old is None and pair.new is not None:
        yield Hit(pair.old_place(), pair.new_place(), f"{pair.new.label} added")


@diff_rule("operation-deprecated", "warning", "An operation became deprecated.", side="operation")
def operation_deprecated(pair: OperationPair):
    """Still served, but announced to go: a client should plan the move before it is removed."""
    if pair.old is not None and pair.new is not None and pair.new.deprecated and not pair.old.deprecated:
        yield Hit(pair.old.pointer, pair.new.pointer, "operation deprecated")


@diff_rule(
    "path-parameter-renamed", "warning", "A path parameter was renamed (same place in the template).", side="sends"
)
def path_parameter_renamed(pair: OperationPair):
    """The request on the wire is the same (path parameters are positional), so an existing
    client keeps working; code generated from the new version takes an argument of another
    name, and documentation links by the name break. Reported as a change, never as a removal
    and an addition (oasdiff's choice too, after its issue #202)."""
    if pair.old is None or pair.new is None:
        return
    renamed = set()
    for item in pair.parameters:
        if item.relation == "renamed" and item.old and item.new:
            renamed.add(item.old.name)
            yield Hit(
                item.old.pointer, item.new.pointer, f"path parameter {item.old.name!r} renamed to {item.new.name!r}"
            )
    for old_name, new_name in zip(pair.old.path_params, pair.new.path_params, strict=False):
        if old_name != new_name and old_name not in renamed:  # undeclared in one version
            yield Hit(pair.old.pointer, pair.new.pointer, f"path parameter {old_name!r} renamed to {new_name!r}")
