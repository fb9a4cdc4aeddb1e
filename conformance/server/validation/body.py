"""The request body: its media type matched to a declared one, parsed, validated."""

from typing import Any

import orjson

from conformance.server.validation.forms import UploadedFile, parse_form, parse_multipart
from conformance.server.validation.media import is_json_type, parse_media_type
from conformance.server.validation.model import ApiError, RequestCheck, RequestParts
from conformance.server.validation.plan import BodySpec, Plan
from conformance.server.validation.schema_types import admitted_types
from conformance.server.validation.text import as_text, detail_text
from conformance.server.validation.validators import error_message, required_property, schema_errors
from spec.index import SpecIndex
from spec.pointer import from_parts


def check_body(plan: Plan, parts: RequestParts, check: RequestCheck, errors: list[ApiError]) -> None:
    body_spec = plan.body
    assert body_spec is not None
    body = parts.body if isinstance(parts.body, (bytes, bytearray)) else as_text(parts.body).encode()
    raw_type = parts.content_type
    if raw_type is None and isinstance(parts.headers, dict):
        raw_type = parts.headers.get("content-type")
    media, options = parse_media_type(as_text(raw_type) if raw_type is not None else "")
    declared = _match_media(body_spec, media)
    if not body:
        _check_empty_body(plan, body_spec, declared, media, check, errors)
        return
    if declared is None:
        shown = detail_text(media) if media else "(none)"
        accepted = ", ".join(sorted(body_spec.media)) or "(none)"
        detail = f"The Content-Type {shown} is not supported here; send one of: {accepted}."
        errors.append(ApiError("unsupported_media_type", detail, parameter="Content-Type"))
        return
    check.media_type = declared
    schema, validator = body_spec.media[declared]
    mode = _parse_mode(plan.index, declared, media or declared, schema)
    if mode == "json":
        try:
            value = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            errors.append(
                ApiError("invalid_json", f"The request body is not valid JSON: {detail_text(str(exc))}.", pointer="")
            )
            return
    elif mode == "form":
        value = parse_form(plan.index, body, options, schema)
        if value is None:
            errors.append(ApiError("malformed_request", "The form body is not valid text.", pointer=""))
            return
    elif mode == "multipart":
        value = parse_multipart(plan.index, body, options, schema)
        if isinstance(value, str):
            errors.append(ApiError("malformed_request", f"The multipart body is malformed: {value}.", pointer=""))
            return
    else:
        check.body = _raw_body(body, media)
        return
    check.body = value
    for error in schema_errors(validator, for_validation(value)):
        errors.append(_body_error(error))


def _check_empty_body(
    plan: Plan, body_spec: BodySpec, declared: str | None, media: str, check: RequestCheck, errors: list[ApiError]
) -> None:
    """No bytes: absent, unless the format has a valid empty form. An empty form body is the
    empty object (its required fields are still checked); an empty raw upload is an empty file.
    Empty JSON or multipart is no body at all."""
    if not body_spec.required:
        return
    mode = "json"
    if declared is not None:
        schema, validator = body_spec.media[declared]
        mode = _parse_mode(plan.index, declared, media or declared, schema)
    if mode == "form":
        check.media_type, check.body = declared, {}
        errors.extend(_body_error(error) for error in schema_errors(validator, {}))
    elif mode == "raw" and _empty_upload_allowed(plan.index, schema if declared is not None else None):
        check.media_type, check.body = declared, b""
    else:
        errors.append(ApiError("missing_parameter", "The request body is required but was empty.", pointer=""))


def _empty_upload_allowed(index: SpecIndex, schema: Any) -> bool:
    """An empty raw upload is an empty file, unless the schema wants an object or array (a
    `*/*` body whose schema is an object is data, and no bytes are no data)."""
    types = admitted_types(index, schema) if schema is not None else set()
    return not types or "string" in types or not types & {"object", "array"}


def _match_media(body: BodySpec, media: str) -> str | None:
    """The declared media type serving `media`: exact, +json suffix, type/*, then */*.

    Without a Content-Type the body is read as JSON when JSON is accepted, else as the only
    declared type (a client that omits the header usually means the API's one format)."""
    declared = body.media
    if not media:
        if "application/json" in declared:
            return "application/json"
        concrete = [m for m in declared if "*" not in m]
        if len(concrete) == 1:
            return concrete[0]
        return "*/*" if "*/*" in declared else None
    if media in declared:
        return media
    if is_json_type(media):
        for name in declared:
            if is_json_type(name):
                return name
    wildcard = media.split("/", 1)[0] + "/*"
    if wildcard in declared:
        return wildcard
    return "*/*" if "*/*" in declared else None


def _parse_mode(index: SpecIndex, declared: str, media: str, schema: Any) -> str:
    """How to read the body: by the declared type, or for a wildcard (`*/*`, `text/xml`) by
    what the client sent, unless the schema is a plain/binary string (the bytes are the value)."""
    mode = _mode_of(declared)
    if mode is not None:
        return mode
    mode = _mode_of(media)
    types = admitted_types(index, schema)
    if mode is not None and (not types or types & {"object", "array"}):
        return mode
    return "raw"


def _mode_of(media: str) -> str | None:
    if is_json_type(media):
        return "json"
    if media == "application/x-www-form-urlencoded":
        return "form"
    if media == "multipart/form-data":
        return "multipart"
    return None


def _raw_body(body: bytes, media: str) -> Any:
    if media.startswith("text/") or media.endswith("xml"):
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            return bytes(body)
    return bytes(body)


def for_validation(value: Any) -> Any:
    """Files validate as strings (their schemas are `type: string, format: binary`)."""
    if isinstance(value, UploadedFile):
        return value.get("filename") or "file"
    if isinstance(value, dict) and any(isinstance(v, (UploadedFile, list)) for v in value.values()):
        return {k: for_validation(v) for k, v in value.items()}
    if isinstance(value, list) and any(isinstance(v, UploadedFile) for v in value):
        return [for_validation(v) for v in value]
    return value


def _body_error(error: Any) -> ApiError:
    path: list[str | int] = list(error.instance_path)
    kind = "invalid_value"
    missing = required_property(error)
    if missing is not None:
        path.append(missing)
        kind = "missing_parameter"
    elif type(error.kind).__name__ == "AdditionalProperties":
        unexpected = getattr(error.kind, "unexpected", None)
        if unexpected:
            path.append(str(unexpected[0]))
    pointer = detail_text(from_parts(path))
    where = f"'{pointer}'" if pointer else "the request body"
    return ApiError(kind, f"The value at {where} is invalid: {error_message(error)}", pointer=pointer)
