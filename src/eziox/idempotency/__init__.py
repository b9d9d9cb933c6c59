"""Idempotent retries of /v1 POSTs (Stripe's semantics), keyed by the `Idempotency-Key` header.

The first request with a key (per account) runs; its answer is stored with the work, in the
route's own transaction, and replayed for 24 h to the same request (same target, same body
SHA-256) with `Idempotent-Replayed: true`. Another request with the key answers 409, and so
does one sent while the first still runs (its marker lapses after 60 s if that process dies).
"""

from eziox.idempotency.layer import IdempotencyLayer, held_claim
from eziox.idempotency.openapi import document_idempotency

__all__ = ["IdempotencyLayer", "document_idempotency", "held_claim"]
