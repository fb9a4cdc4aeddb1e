"""Rules on responses: statuses, their media types and headers (bodies: schemas_response)."""

from spec.diff.pairs import OperationPair, match_media
from spec.diff.rules import Hit, diff_rule


def _responses(pair: OperationPair):
    if pair.old is not None and pair.new is not None:
        yield from pair.responses


@diff_rule(
    "response-status-removed", "breaking", "A success status the client handles is no longer documented.", side="reads"
)
def response_status_removed(pair: OperationPair):
    """A client written for `200` with its body meets another status (a `202`, a `204` without
    a body) that it does not handle. A range (`2XX`) in the new version covers a code."""
    for old, new in _responses(pair):
        if old is not None and new is None and old.success:
            yield Hit(old.pointer, pair.new.pointer, f"response {old.status} removed")


@diff_rule("response-error-status-removed", "warning", "An error status is no longer documented.", side="reads")
def response_error_status_removed(pair: OperationPair):
    """Error handling keyed on the status (retry on `429`, re-authenticate on `401`) may no
    longer be reached, or the error now comes under another code."""
    for old, new in _responses(pair):
        if old is not None and new is None and not old.success and old.status != "default":
            yield Hit(old.pointer, pair.new.pointer, f"response {old.status} removed")


@diff_rule("response-status-added", "info", "A response status was added.", side="reads")
def response_status_added(pair: OperationPair):
    """A newly documented status; well-behaved clients treat unknown codes by their class."""
    for old, new in _responses(pair):
        if old is None and new is not None:
            yield Hit(pair.old.pointer, new.pointer, f"response {new.status} added")


@diff_rule(
    "response-media-type-removed", "breaking", "A success response no longer comes as a media type.", side="reads"
)
def response_media_type_removed(pair: OperationPair):
    """A client parses the documented type (JSON); a success response in another one (or with
    no body at all) is one it cannot read."""
    for old, new in _responses(pair):
        if old is None or new is None or not old.success:
            continue
        for old_media, new_media in match_media(old.content, new.content):
            if old_media is not None and new_media is None:
                yield Hit(old_media.pointer, new.pointer, f"response {old.status} media type {old_media.name} removed")


@diff_rule("response-media-type-added", "info", "A success response may come as a new media type.", side="reads")
def response_media_type_added(pair: OperationPair):
    """Content negotiation picks what the client accepts; a new type is another choice."""
    for old, new in _responses(pair):
        if old is None or new is None or not old.success:
            continue
        for old_media, new_media in match_media(old.content, new.content):
            if old_media is None and new_media is not None:
                yield Hit(old.pointer, new_media.pointer, f"response {old.status} media type {new_media.name} added")


@diff_rule("response-header-removed", "warning", "A success response header is no longer documented.", side="reads")
def response_header_removed(pair: OperationPair):
    """A client reading it (a rate-limit count, a location) may no longer get it; headers are
    rarely required, so this is a warning rather than a break."""
    for old, new in _responses(pair):
        if old is None or new is None or not old.success:
            continue
        for name, header in old.headers.items():
            if name not in new.headers:
                yield Hit(header.pointer, new.pointer, f"response {old.status} header {header.name!r} removed")


@diff_rule("response-header-added", "info", "A success response header was added.", side="reads")
def response_header_added(pair: OperationPair):
    """More output; clients that do not know it ignore it."""
    for old, new in _responses(pair):
        if old is None or new is None or not old.success:
            continue
        for name, header in new.headers.items():
            if name not in old.headers:
                yield Hit(old.pointer, header.pointer, f"response {old.status} header {header.name!r} added")
