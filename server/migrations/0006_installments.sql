-- Installment offers (docs/api.md §4, "Installments"): what a session lets the shopper pay in
-- parts, priced by the service when the session opens (server/src/installments.rs) and bound to it:
-- a JSON array of offers (count, amount, total, rate, tea, cft, free, brands), paying in full
-- first. NULL: a session from before this column, which offers paying in full only.
ALTER TABLE sessions ADD COLUMN installments_json TEXT;
