-- One order is paid once, whichever key, tab or process attempts it: the primary key on
-- `order_id` lets one attempt at a time hold an order. Another attempt takes the order over only
-- once the holder's attempt ended without a payment that took money (pay.rs, `hold_order`).
CREATE TABLE order_claims (
    order_id TEXT PRIMARY KEY,
    idempotency_key TEXT NOT NULL,
    claimed_at BIGINT NOT NULL
);

-- Provider refreshes of a pending payment are coalesced across requests and processes: a
-- refresh claims the row until `refresh_after` (its bound while in flight, then
-- PASARELA_STATUS_REFRESH_MS after it ended).
ALTER TABLE payments ADD COLUMN refresh_after BIGINT;

-- Whether the shopper's card may be kept (`savePaymentMethod`: off, ask, always).
ALTER TABLE sessions ADD COLUMN save_payment_method TEXT NOT NULL DEFAULT 'off';
