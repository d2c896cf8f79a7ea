-- The reconciler (src/reconcile.rs) looks, every PASARELA_RECONCILE_MS, for attempts that have
-- not ended and whose lease lapsed, and for the orders they hold: both lookups stay on an index
-- however many attempts and orders the store keeps.
CREATE INDEX attempts_started ON attempts (locked_until) WHERE state = 'started';
CREATE INDEX order_claims_holder ON order_claims (idempotency_key);
