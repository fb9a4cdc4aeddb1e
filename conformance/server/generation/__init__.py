"""Deterministic, schema-valid JSON values: the bodies the reference server answers with.

`generate(index, pointer, seed=...)` walks the schema at `pointer` and builds a value that its
compiled validator accepts. Three ideas keep it correct, reproducible and fast:

* **Flattening.** A schema is handled as a conjunction of *facets* (pointer, node): `$ref`s are
  followed and `allOf` members merged into one `Flat` (properties, required, bounds...), and a
  `oneOf`/`anyOf` is resolved by adding the chosen branch as one more facet. Every facet is a
  real place in the document, so its validator can always be compiled to check a candidate
  (an `example`, a `default`, a oneOf branch's value). Flats are cached per index.
* **Path seeds.** Each value's seed is derived from its parent's with `zlib.crc32(key, seed)`
  (never `hash()`, which is salted per process), and leaves draw from a splitmix64 generator
  that is cheap to seed. Same spec, pointer and seed: same value, in any process; a change in
  one branch of the value leaves the others as they were.
* **Validate, then vary.** The result is checked with `index.schema_validator(pointer)`; when
  the spec's imperfections defeat the first attempt (an example valid alone but not in its
  parent, a oneOf whose branches overlap...), a few deterministic variations are tried before
  `GenerationError` names the pointer. Schemas that jsonschema-rs cannot compile (3.0
  leftovers such as a boolean `exclusiveMinimum`) get a best-effort value and a light check.

The package, by layer: `seeds`, `patterns`, `strings`, `numbers` and `values` make and check
leaves; `flatten` turns a schema into a `Flat`; `base` (caches), `containers` (objects, arrays,
strings) and `branches` (oneOf/anyOf) are the parts of the walk that `engine` puts together.
"""

from conformance.server.generation.engine import generate
from conformance.server.generation.errors import GenerationError

__all__ = ["GenerationError", "generate"]
