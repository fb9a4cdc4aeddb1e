"""The signed-webhook contract (issue 12): Telnyx signs `f"{timestamp}|{raw_body}"` with
Ed25519 and sends the signature and the timestamp in two headers; a receiver verifies with the
account's public key and refuses stale timestamps.

Both directions, from one catalogue of the spec's 64 `webhooks:` events (`catalogue`):

* **send** tests a consumer's handler: schema-valid bodies (`payloads`, the reference server's
  generator), signed (`signing`, `keys`), delivered correctly and in hostile variants
  (`variants`), each answer judged, bounded (`send`).
* **listen** tests a target's deliveries: a loopback receiver (`sink`) that runs the named
  checks (`checks`) on each delivery and answers 200 or 4xx.

`report` and `verdicts` turn the outcomes into summary.json and JUnit documents; the CLI
(`conformance/cli/webhooks.py`) writes them. This layer may import the server, the target,
strategies and the spec, and nothing above.
"""
