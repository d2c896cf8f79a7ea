-- Beyond the card form (docs/api.md §4): cash vouchers, bank transfers and in-page authentication.
--
-- What a session lets the shopper pay with: comma-separated `card`, `cash`, `bank_transfer`
-- (`methods` of POST /v1/sessions, default card), and the storefront page the shopper comes back
-- to after a full-page redirect (a bank's site, a 3-D Secure page that refuses to be framed).
ALTER TABLE sessions ADD COLUMN methods TEXT NOT NULL DEFAULT 'card';
ALTER TABLE sessions ADD COLUMN return_url TEXT;
-- A voucher's or transfer's display fields (pasarela_protocol::Voucher as JSON): what the shopper
-- needs to pay it, shown while the payment is pending. Never a provider secret.
ALTER TABLE payments ADD COLUMN voucher_json TEXT;
