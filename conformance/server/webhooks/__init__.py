"""The reference server's webhooks: the signed events Telnyx sends when an operation runs.

Here, below `conformance.webhooks` (the consumer and sink tests), because the server delivers
what those tests judge and the server may not import them. The pure parts both directions
share live here too: the event catalogue of the spec's `webhooks:` (`catalogue`), schema-valid
bodies (`payloads`), key files (`keys`) and the Ed25519 signature (`signing`).

The server's own parts: `triggers` (which operation sends which events, to which URL field, and
the bodies with the triggering resource's ids) and `delivery` (the bounded background sender:
a bounded queue, retries with bounded backoff on non-2xx, a per-attempt timeout, loopback URLs
only unless told otherwise, and the webhook faults of the catalogue).
"""
