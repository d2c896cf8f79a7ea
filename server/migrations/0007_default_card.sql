-- Saved cards the shopper manages (docs/api.md §4, "Saved cards"): the card the customer chose as
-- their default with a provider (at most one per customer and provider; 1 = default), listed first.
ALTER TABLE saved_cards ADD COLUMN is_default BIGINT NOT NULL DEFAULT 0;
