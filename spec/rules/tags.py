"""Rules about the top-level tags list."""

from spec.index import SpecIndex
from spec.rules import rule


@rule(
    "tag-description",
    "warning",
    "Every declared tag has a description.",
    equivalents=("redocly:tag-description",),
)
def tag_description(index: SpecIndex):
    """A tag is a section of the reference and often an SDK service class; its description is
    the section's introduction. Without one, readers get a bare list of operations with no
    word on what the group covers or how its parts fit together."""
    tags = index.doc.get("tags")
    if not isinstance(tags, list):
        return
    for i, tag in enumerate(tags):
        if not isinstance(tag, dict):
            continue
        label = repr(tag["name"]) if isinstance(tag.get("name"), str) else f"#{i}"
        description = tag.get("description")
        if "description" not in tag:
            yield f"/tags/{i}", f"tag {label} has no description"
        elif not isinstance(description, str) or not description.strip():
            yield f"/tags/{i}/description", f"tag {label} has an empty description"
