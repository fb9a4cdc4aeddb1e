"""The one Telnyx spec this suite is pinned to (see ../shared/spec/SOURCE.md).

The spec itself is never committed: it is resolved at run time and checked against this pin.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class SpecPin:
    repository: str
    path: str
    commit: str
    size: int
    sha256: str
    file_name: str


PINNED = SpecPin(
    repository="team-telnyx/openapi",
    path="openapi/spec3.yml",
    commit="861ec3b",
    size=2_812_366,
    sha256="6a9394d3d3bbe7afc51a0195e6a4e187277326694a47cfc546812d4320690102",
    file_name="telnyx.yml",
)
