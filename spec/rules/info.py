"""Rules about the `info` object: who owns the API, what it is, and under which terms."""

from typing import Any

from spec.index import SpecIndex
from spec.rules import rule


def _info(index: SpecIndex) -> dict[str, Any]:
    info = index.doc.get("info")
    return info if isinstance(info, dict) else {}


def _blank(value: Any) -> bool:
    return not isinstance(value, str) or not value.strip()


@rule(
    "info-contact",
    "warning",
    "The info object names a contact.",
    equivalents=("spectral:info-contact",),
)
def info_contact(index: SpecIndex):
    """Consumers who hit a bug, a breaking change or an outage need to know whom to tell.
    Without `info.contact` the document gives them no owner, and generated portals and SDK
    READMEs have no support address to print."""
    if "info" in index.doc and not isinstance(_info(index).get("contact"), dict):
        yield "/info", "info has no contact object"


@rule(
    "info-description",
    "warning",
    "The info object describes the API.",
    equivalents=("spectral:info-description",),
)
def info_description(index: SpecIndex):
    """`info.description` is the landing text of every rendered reference and the first thing
    a reader sees; an API with only a title tells newcomers nothing about its scope, its
    authentication or where to start."""
    info = _info(index)
    if "info" not in index.doc:
        return
    if "description" not in info:
        yield "/info", "info has no description"
    elif _blank(info["description"]):
        yield "/info/description", "info.description is empty"


@rule(
    "info-license",
    "warning",
    "The info object declares a license.",
    equivalents=("redocly:info-license",),
)
def info_license(index: SpecIndex):
    """Without a license, nobody can tell whether they may copy the description, generate and
    ship SDKs from it, or mirror it; legal review of every integration then stalls on a
    question the document could answer in one line."""
    if "info" in index.doc and not isinstance(_info(index).get("license"), dict):
        yield "/info", "info has no license object"


@rule(
    "info-license-url",
    "warning",
    "A declared license links to its terms (url, or an SPDX identifier in 3.1).",
    equivalents=("redocly:info-license-strict",),
)
def info_license_url(index: SpecIndex):
    """A license name alone ("Proprietary", "Custom") does not say what is allowed; the terms
    must be reachable. OpenAPI 3.1 also accepts an SPDX `identifier`, which is unambiguous
    on its own. Specs without any license are `info-license`'s business, not this rule's."""
    license_ = _info(index).get("license")
    if not isinstance(license_, dict):
        return
    if not _blank(license_.get("url")):
        return
    if index.is_31 and not _blank(license_.get("identifier")):
        return
    name = license_.get("name")
    label = f"license {name!r}" if isinstance(name, str) else "license"
    wanted = "a url or an SPDX identifier" if index.is_31 else "a url"
    yield "/info/license", f"{label} has no link to its terms ({wanted})"
