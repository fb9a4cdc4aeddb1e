"""The pieces of `spec.validate` (openapi-spec-validator's verdicts, located and fast).

- `problems`: the structural rule table, `Problem`, signatures and message rendering;
- `keywords`: osv's format checker and the OAS 3.0 keywords, as jsonschema-rs custom keywords;
- `meta`: the document against the OAS meta-schema, and schemas against their JSON Schema dialect;
- `defaults`: each `default` against its schema;
- `walk`: osv's SchemaValidator walk and its own checks, in osv's order.

Import the public names from `spec.validate`.
"""
