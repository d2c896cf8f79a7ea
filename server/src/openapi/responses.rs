//! The refusals every route shares, as reusable OpenAPI responses: each is the service's one error
//! shape ([`ErrorBody`]) under one status, described once. Never built: the types name responses.

use crate::protocol::ErrorBody;
use utoipa::ToResponse;

/// The request cannot be read: not JSON or not a form, text with a NUL character, a bad path
/// segment or query, a missing or malformed `Idempotency-Key`, a KR answer whose hash does not
/// match. `field` names what.
#[derive(ToResponse)]
pub struct BadRequest(pub ErrorBody);

/// The credential is missing, unknown or expired: the backend's secret key on `/v1/*` and
/// `/metrics`, the session's client secret on the page's routes, a provider's signature on a
/// webhook.
#[derive(ToResponse)]
pub struct Unauthorized(pub ErrorBody);

/// The saved card is not the session customer's.
#[derive(ToResponse)]
pub struct Forbidden(pub ErrorBody);

/// Nothing here by that id (a payment of another order reads as unknown), or a webhook of a
/// provider this service has no keys for.
#[derive(ToResponse)]
pub struct NotFound(pub ErrorBody);

/// One order is paid once: `code` says why (`order_already_paid` or `attempt_in_progress`, with
/// the deciding `paymentId`), or a request with this `Idempotency-Key` is still running
/// (`Retry-After`); removing a saved card, the provider refused (`provider_refused`, its reason in
/// `error`); linking a customer, it has another provider customer (`customer_already_linked`).
#[derive(ToResponse)]
#[response(headers(("Retry-After" = u32, description = "Seconds after which a retry may succeed, when one may.")))]
pub struct Conflict(pub ErrorBody);

/// The body is over the limit (2 MiB) or never arrived.
#[derive(ToResponse)]
pub struct PayloadTooLarge(pub ErrorBody);

/// A field has the wrong shape or value, or disagrees with the session: `field` is its dotted
/// path; the value sent is never repeated.
#[derive(ToResponse)]
pub struct Unprocessable(pub ErrorBody);

/// Over `PASARELA_RATE_LIMIT` requests per minute from this client (page routes only).
#[derive(ToResponse)]
#[response(headers(("Retry-After" = u32, description = "Seconds until this client may send again.")))]
pub struct TooManyRequests(pub ErrorBody);

/// The provider refused the request itself (credentials, a malformed call): nothing was charged.
#[derive(ToResponse)]
pub struct BadGateway(pub ErrorBody);

/// The provider or the database did not answer: the charge may have happened, and a retry with
/// the same `Idempotency-Key` finds out before charging.
#[derive(ToResponse)]
#[response(headers(("Retry-After" = u32, description = "Seconds to wait before retrying.")))]
pub struct Unavailable(pub ErrorBody);
