-- The storefront's notifications (notify/): one event per payment state change, written in the
-- change's own transaction (store.rs), so no change goes unannounced, and POSTed from here to
-- PASARELA_NOTIFY_URL until a 2xx, across restarts and processes.
--
-- `seq` is the creation order, the order of `GET /v1/events`: each insert takes MAX(seq) + 1 and
-- retries on the primary key, so a number is taken only once the one before it is committed
-- (a poller reading `after` a seq never misses a later-committed lower one). Portable SQL: no
-- SERIAL, no AUTOINCREMENT.
CREATE TABLE events (
    seq BIGINT PRIMARY KEY,
    -- `evt_…`: the id the backend drops duplicates by, and the `after` cursor.
    id TEXT NOT NULL UNIQUE,
    -- Unix milliseconds (the body's `created` is its seconds).
    created_at BIGINT NOT NULL,
    payment_id TEXT NOT NULL,
    order_id TEXT NOT NULL,
    status TEXT NOT NULL,
    -- The exact JSON text every delivery sends (and the signature covers).
    body TEXT NOT NULL,
    -- When the next delivery is due; NULL once delivered or given up (3 days).
    next_attempt_at BIGINT,
    attempts BIGINT NOT NULL DEFAULT 0,
    delivered_at BIGINT,
    -- A delivery's lease: the process holding `claimed_by` posts the event until `locked_until`
    -- (past the POST's bound), so two processes never post one event at once, and a killed
    -- process's claim lapses.
    locked_until BIGINT NOT NULL DEFAULT 0,
    claimed_by TEXT,
    -- What the last failed try got: an HTTP status or an error kind (never a body).
    last_error TEXT
);
CREATE INDEX events_due ON events (next_attempt_at);
CREATE INDEX events_payment ON events (payment_id);
