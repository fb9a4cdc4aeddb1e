"""Rules on the request body and its media types (Swagger 2.0's body and formData included)."""

from spec.diff.pairs import OperationPair, match_media
from spec.diff.rules import Hit, diff_rule


def _both(pair: OperationPair) -> bool:
    return pair.old is not None and pair.new is not None


@diff_rule("request-body-added-required", "breaking", "A required request body was added.", side="sends")
def request_body_added_required(pair: OperationPair):
    """Old clients send no body; the new server refuses a request without one."""
    if _both(pair) and pair.old.request_body is None and pair.new.request_body and pair.new.request_body.required:
        yield Hit(pair.old.pointer, pair.new.request_body.pointer, "required request body added")


@diff_rule("request-body-added-optional", "info", "An optional request body was added.", side="sends")
def request_body_added_optional(pair: OperationPair):
    """New optional input; requests without a body still pass."""
    if _both(pair) and pair.old.request_body is None and pair.new.request_body and not pair.new.request_body.required:
        yield Hit(pair.old.pointer, pair.new.request_body.pointer, "optional request body added")


@diff_rule("request-body-became-required", "breaking", "An optional request body became required.", side="sends")
def request_body_became_required(pair: OperationPair):
    """Clients that sent no body (it was optional) are now refused."""
    old = pair.old.request_body if _both(pair) else None
    new = pair.new.request_body if _both(pair) else None
    if old and new and new.required and not old.required:
        yield Hit(old.pointer, new.pointer, "request body became required")


@diff_rule("request-body-removed", "warning", "The request body is no longer declared.", side="sends")
def request_body_removed(pair: OperationPair):
    """The client still sends it; the server ignores it at best, so what it carried no longer
    has an effect."""
    if _both(pair) and pair.old.request_body and pair.new.request_body is None:
        yield Hit(pair.old.request_body.pointer, pair.new.pointer, "request body removed")


@diff_rule("request-media-type-removed", "breaking", "The request body no longer accepts a media type.", side="sends")
def request_media_type_removed(pair: OperationPair):
    """A client sending `application/json` where only `multipart/form-data` is accepted now gets
    415. A wildcard (`*/*`, `application/*`) in the new version still takes it."""
    if not (_both(pair) and pair.old.request_body and pair.new.request_body):
        return
    for old, new in match_media(pair.old.request_body.content, pair.new.request_body.content):
        if old is not None and new is None:
            yield Hit(old.pointer, pair.new.request_body.pointer, f"request media type {old.name} removed")


@diff_rule("request-media-type-added", "info", "The request body accepts a new media type.", side="sends")
def request_media_type_added(pair: OperationPair):
    """One more way to send the body; existing clients are not affected."""
    if not (_both(pair) and pair.old.request_body and pair.new.request_body):
        return
    for old, new in match_media(pair.old.request_body.content, pair.new.request_body.content):
        if old is None and new is not None:
            yield Hit(pair.old.request_body.pointer, new.pointer, f"request media type {new.name} added")
