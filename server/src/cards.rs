//! Saved cards the shopper manages (docs/api.md §4, "Saved cards"): the page removes a card or
//! makes it the default with the session's client secret, the backend lists and removes a
//! customer's cards with the secret key. Removing asks the card's provider first (Bamboo's
//! payment-profile delete, Conekta's payment-source delete, Lyra's token cancellation:
//! docs/providers/*.md, "Removing a saved card") and only then forgets the card, so a card the
//! service no longer lists can no longer be charged either; `POST /pay` refuses its id.

use crate::app::{sha256_hex, ApiError, App};
use crate::protocol::Profile;
use crate::providers::Removal;
use crate::store::{self, now_ms, SavedCard, Session};
use axum::http::StatusCode;
use pasarela_protocol::ProviderId;
use serde::Serialize;
use utoipa::ToSchema;

/// `PUT /pay/payment-methods/{id}/default`'s answer: the customer's cards now, the default first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileList {
    /// Display fields only, the default first.
    pub profiles: Vec<Profile>,
}

/// One card of `GET /v1/customers/{id}/payment-methods`: the page's display fields and the
/// provider that keeps it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerCard {
    /// The card as the page lists it.
    #[serde(flatten)]
    pub profile: Profile,
    /// Which provider keeps it (a customer may have cards with several).
    #[schema(value_type = crate::openapi::schema::Provider)]
    pub provider: ProviderId,
}

/// `GET /v1/customers/{id}/payment-methods`'s answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct CardList {
    /// By provider, each provider's default first.
    pub data: Vec<CustomerCard>,
}

/// The open session of a page's `Authorization: Bearer <clientSecret>`: `401` without one, with
/// an unknown one or an expired one, before anything else is read.
pub async fn page_session(app: &App, client_secret: Option<&str>) -> Result<Session, ApiError> {
    let unauthorized = || ApiError::new(StatusCode::UNAUTHORIZED, "Authorization: Bearer <clientSecret> required").field("Authorization");
    let secret = client_secret.filter(|s| !s.is_empty() && !s.contains('\0')).ok_or_else(unauthorized)?;
    let s = store::session_by_secret(&app.db, &sha256_hex(secret.as_bytes())).await?.ok_or_else(unauthorized)?;
    if s.expires_at < now_ms() {
        return Err(ApiError::new(StatusCode::UNAUTHORIZED, "the session expired").field("Authorization"));
    }
    Ok(s)
}

/// The saved card `id` of `customer_ref` (with `provider`, when given): anything else, another
/// customer's card included, is the same `404`.
pub async fn card_of(app: &App, customer_ref: Option<&str>, provider: Option<ProviderId>, id: &str) -> Result<SavedCard, ApiError> {
    let unknown = || ApiError::new(StatusCode::NOT_FOUND, "no such saved card").field("profileId");
    let customer_ref = customer_ref.ok_or_else(unknown)?;
    if id.is_empty() || id.len() > 128 || id.contains('\0') {
        return Err(unknown());
    }
    let card = store::card(&app.db, id).await?;
    card.filter(|c| c.customer_ref == customer_ref && provider.is_none_or(|p| c.provider == p)).ok_or_else(unknown)
}

/// Removes a card at its provider, then forgets it. The provider's refusal is `409
/// provider_refused` with its reason; no answer is `503` (the card is kept: it may still pay).
pub async fn remove(app: &App, card: &SavedCard) -> Result<(), ApiError> {
    let customer = card.provider_customer.as_deref().unwrap_or_default();
    let said = match card.provider {
        ProviderId::Bamboo => app.providers.bamboo()?.remove_profile(customer, &card.id).await,
        ProviderId::Conekta => app.providers.conekta()?.remove_source(customer, card.secret.expose()).await,
        ProviderId::Kr => app.providers.kr()?.cancel_token(card.secret.expose()).await,
    };
    match said {
        Ok(Removal::Removed | Removal::Gone) => {
            store::delete_card(&app.db, &card.id).await?;
            tracing::info!(card = %card.id, provider = card.provider.as_str(), "saved card removed");
            Ok(())
        }
        Ok(Removal::Refused(why)) => {
            tracing::warn!(card = %card.id, provider = card.provider.as_str(), "the provider refused to remove a saved card");
            Err(ApiError::new(StatusCode::CONFLICT, shopper_words(&why)).code("provider_refused"))
        }
        // No answer: 503 with Retry-After; credentials refused, or an id of the wrong shape
        // (never sent): 502.
        Err(e) => Err(ApiError::from(e)),
    }
}

/// Makes `card` its customer's default with its provider; the cards as the page lists them now.
pub async fn make_default(app: &App, card: &SavedCard) -> Result<ProfileList, ApiError> {
    store::set_default_card(&app.db, card).await?;
    let cards = store::cards_of(&app.db, &card.customer_ref, card.provider).await?;
    Ok(ProfileList { profiles: cards.iter().map(SavedCard::profile).collect() })
}

/// A customer's cards with every provider.
pub async fn list(app: &App, customer_ref: &str) -> Result<CardList, ApiError> {
    let cards = store::cards_of_customer(&app.db, customer_ref).await?;
    Ok(CardList { data: cards.iter().map(|c| CustomerCard { profile: c.profile(), provider: c.provider }).collect() })
}

/// A provider's reason as the page may show it: one line of printable text, 200 characters at most.
fn shopper_words(why: &str) -> String {
    let line: String = why.chars().map(|c| if c.is_control() { ' ' } else { c }).take(200).collect();
    let line = line.trim();
    if line.is_empty() {
        "the provider refused to remove this card".to_owned()
    } else {
        line.to_owned()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_providers_reason_is_one_short_line() {
        assert_eq!(super::shopper_words("  El medio\nde pago  "), "El medio de pago");
        assert_eq!(super::shopper_words(""), "the provider refused to remove this card");
        assert_eq!(super::shopper_words(&"x".repeat(500)).len(), 200);
    }
}
