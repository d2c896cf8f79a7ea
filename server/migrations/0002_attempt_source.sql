-- What an attempt made at the provider before charging, kept so that a retry charges it rather
-- than spending the page's one-use token again: Conekta turns a `tok_` into a payment source
-- (`POST /customers`), then charges the source (`POST /orders`); an order lost between the two
-- is retried on that source. JSON of the source and its display fields; never leaves the service.
ALTER TABLE attempts ADD COLUMN source_json TEXT;
