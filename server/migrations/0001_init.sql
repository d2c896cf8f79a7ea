-- Pasarela's merchant service: one schema for SQLite (the embedded default) and Postgres.
-- Portable SQL only (TEXT, BIGINT, ON CONFLICT): both engines run this same file.

-- A checkout the storefront's backend opened with its secret key: the price lives here, never
-- in the browser. The page holds only the client secret, stored as its SHA-256.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    secret_hash TEXT NOT NULL UNIQUE,
    provider TEXT NOT NULL,
    order_id TEXT NOT NULL,
    amount BIGINT NOT NULL,
    amount_due BIGINT NOT NULL,
    currency TEXT NOT NULL,
    customer_ref TEXT,
    customer_json TEXT NOT NULL,
    extra_json TEXT NOT NULL,
    form_token TEXT,
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX sessions_form_token ON sessions (form_token);

-- One row per Idempotency-Key: the primary key is what makes concurrent requests (in one process
-- or several sharing the database) charge once. `locked_until` is the owner's lease; an expired
-- lease on a `started` row means the owner died or lost the provider's answer, and whoever takes
-- the lease over asks the provider (by `attempt_ref`) before charging again.
CREATE TABLE attempts (
    idempotency_key TEXT PRIMARY KEY,
    request_hash TEXT NOT NULL,
    session_id TEXT NOT NULL,
    attempt_ref TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL,
    locked_until BIGINT NOT NULL,
    payment_id TEXT,
    http_status BIGINT,
    response_json TEXT,
    created_at BIGINT NOT NULL
);

CREATE TABLE payments (
    id TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    session_id TEXT NOT NULL,
    order_id TEXT NOT NULL,
    amount BIGINT NOT NULL,
    currency TEXT NOT NULL,
    status TEXT NOT NULL,
    message TEXT,
    action_type TEXT,
    action_url TEXT,
    provider_ref TEXT,
    attempt_ref TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
-- A provider charge is recorded once, whichever path (answer, webhook, reconciliation) saw it first.
CREATE UNIQUE INDEX payments_provider_ref ON payments (provider, provider_ref);
CREATE INDEX payments_order ON payments (order_id);

-- The provider customer behind a storefront customer (Bamboo CustomerId, Conekta cus_…).
CREATE TABLE customers (
    customer_ref TEXT NOT NULL,
    provider TEXT NOT NULL,
    provider_customer TEXT NOT NULL,
    PRIMARY KEY (customer_ref, provider)
);

-- Saved cards: `secret` (CommerceToken, Conekta source, KR paymentMethodToken) never leaves the
-- service; the page sees `id` and the display fields.
CREATE TABLE saved_cards (
    id TEXT PRIMARY KEY,
    customer_ref TEXT NOT NULL,
    provider TEXT NOT NULL,
    secret TEXT NOT NULL,
    provider_customer TEXT,
    brand TEXT NOT NULL,
    last4 TEXT NOT NULL,
    expiry TEXT,
    holder TEXT,
    issuer TEXT,
    installments TEXT,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX saved_cards_secret ON saved_cards (provider, secret);
CREATE INDEX saved_cards_customer ON saved_cards (customer_ref, provider);

-- Webhook deliveries already applied: providers retry until they get a 200.
CREATE TABLE webhook_events (
    provider TEXT NOT NULL,
    event_id TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (provider, event_id)
);

CREATE TABLE settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
