//! The per-client rate limit of the page-facing routes (`PASARELA_RATE_LIMIT` requests per minute
//! per client address; `0` turns it off), by `tower_governor`: a refusal is `429` with
//! `Retry-After`, in the service's JSON shape.

use crate::app::ApiError;
use axum::http::{Request, StatusCode};
use axum::response::IntoResponse;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use tower_governor::governor::GovernorConfigBuilder;
use tower_governor::key_extractor::KeyExtractor;
use tower_governor::{GovernorError, GovernorLayer};

/// The client's address (the connection's peer). Behind a reverse proxy every client has the
/// proxy's address: the limit then applies to all of them together, which errs on the side of
/// the merchant's provider quota rather than trusting a header anyone can set.
#[derive(Clone, Copy, Debug)]
pub struct PeerAddress;

impl KeyExtractor for PeerAddress {
    type Key = IpAddr;

    fn extract<T>(&self, req: &Request<T>) -> Result<IpAddr, GovernorError> {
        let peer = req.extensions().get::<axum::extract::ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        Ok(peer.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)))
    }
}

/// The layer for `per_minute` requests per client, with a burst of as many; `None` when off.
pub fn per_client(per_minute: u32) -> Option<GovernorLayer<PeerAddress, governor::middleware::NoOpMiddleware<governor::clock::QuantaInstant>, axum::body::Body>> {
    if per_minute == 0 {
        return None;
    }
    let config = GovernorConfigBuilder::default()
        .key_extractor(PeerAddress)
        .per_millisecond((60_000 / u64::from(per_minute)).max(1))
        .burst_size(per_minute)
        .finish()?;
    Some(GovernorLayer::new(config).error_handler(|e| match e {
        GovernorError::TooManyRequests { wait_time, .. } => {
            ApiError::new(StatusCode::TOO_MANY_REQUESTS, "too many requests from this client").retry_after(wait_time.clamp(1, 3600) as u32).into_response()
        }
        _ => ApiError::new(StatusCode::TOO_MANY_REQUESTS, "too many requests").retry_after(1).into_response(),
    }))
}
