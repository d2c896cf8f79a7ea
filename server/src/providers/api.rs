//! What the service asks of every provider, as one trait ([`ProviderApi`]), and the providers this
//! service has keys for, as one trait object each ([`Providers`]), the shape of axum's
//! `dependency-injection` example: a handler asks for "the session's provider" and gets its API or
//! the 422 that it is not configured, never an `Option` to unwrap at each use.
//!
//! Calls one provider alone makes (Conekta's customer and payment-source steps, Bamboo's customer
//! sync, KR's form token and BIN update, webhook signatures) stay on the concrete types, reached
//! through [`Providers::bamboo`], [`Providers::conekta`] and [`Providers::kr`].

use super::{bamboo::Bamboo, conekta::Conekta, kr::Kr, Charge, Outcome, ProviderError};
use crate::app::ApiError;
use pasarela_protocol::ProviderId;
use std::any::Any;
use std::fmt;
use std::sync::Arc;

/// One provider's payment API, as `POST /pay` and `GET /pay/{id}` use it whatever the provider.
#[async_trait::async_trait]
pub trait ProviderApi: Any + Send + Sync + fmt::Debug {
    /// Which provider this is.
    fn id(&self) -> ProviderId;

    /// Charges once. The attempt's reference travels with the charge, so that a lost answer can
    /// be found again by [`ProviderApi::find`] instead of charging twice.
    async fn charge(&self, c: &Charge<'_>) -> Result<Outcome, ProviderError>;

    /// The charge made for an attempt of `order_id`, if the provider made one: what a request
    /// that takes over an unfinished attempt asks before it charges.
    async fn find(&self, order_id: &str, attempt_ref: &str) -> Result<Option<Outcome>, ProviderError>;

    /// A payment's current status, by the provider's reference (`GET /pay/{id}` of a pending
    /// payment). `None`: this provider is not read back (Lyra's IPN moves its payments).
    async fn refresh(&self, provider_ref: &str) -> Result<Option<Outcome>, ProviderError>;

    /// The concrete type, for the calls only one provider makes ([`Providers::conekta`], …).
    fn as_any(&self) -> &dyn Any;
}

/// The providers this service has keys for: one [`ProviderApi`] each.
#[derive(Clone, Debug, Default)]
pub struct Providers(Vec<Arc<dyn ProviderApi>>);

impl Providers {
    /// The clients of the providers `config` enables, sharing one HTTP client.
    pub fn from_config(config: &crate::config::Config, http: &reqwest::Client) -> Self {
        let mut all: Vec<Arc<dyn ProviderApi>> = Vec::new();
        if let Some(config) = &config.bamboo {
            all.push(Arc::new(Bamboo { config: config.clone(), http: http.clone() }));
        }
        if let Some(config) = &config.conekta {
            all.push(Arc::new(Conekta { config: config.clone(), http: http.clone() }));
        }
        if let Some(config) = &config.lyra {
            all.push(Arc::new(Kr { config: config.clone(), http: http.clone() }));
        }
        Self(all)
    }

    /// The API of `p`, or the 422 naming `provider` when this service has no keys for it.
    pub fn get(&self, p: ProviderId) -> Result<&dyn ProviderApi, ApiError> {
        self.0.iter().find(|api| api.id() == p).map(|api| &**api).ok_or_else(|| not_configured(p))
    }

    /// Bamboo, for its customer sync and webhook signature.
    pub fn bamboo(&self) -> Result<&Bamboo, ApiError> {
        self.concrete(ProviderId::Bamboo)
    }

    /// Conekta, for its customer and payment-source steps and webhook signature.
    pub fn conekta(&self) -> Result<&Conekta, ApiError> {
        self.concrete(ProviderId::Conekta)
    }

    /// Lyra KR, for its form token, BIN update and signed answers.
    pub fn kr(&self) -> Result<&Kr, ApiError> {
        self.concrete(ProviderId::Kr)
    }

    fn concrete<T: ProviderApi>(&self, id: ProviderId) -> Result<&T, ApiError> {
        // Each id is built from one concrete type (`from_config`): the downcast cannot miss.
        self.get(id)?.as_any().downcast_ref::<T>().ok_or_else(|| not_configured(id))
    }
}

/// The refusal of a provider without keys here: `422`, field `provider`.
fn not_configured(p: ProviderId) -> ApiError {
    ApiError::invalid("provider", format!("provider {} is not configured", p.as_str()))
}
