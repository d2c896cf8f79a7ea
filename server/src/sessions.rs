//! Checkout sessions: the storefront's backend opens one with its secret key (server to server),
//! naming the order, the amount and the customer; the page gets only a short-lived client secret.
//! `POST /pay` charges the session's amount, whatever the page sends.

use crate::app::{random_text, sha256_hex, ApiError, App};
use crate::protocol::{Order, Profile, SaveMode};
use crate::providers::{bamboo::Enrollment, NewCard};
use crate::store::{self, now_ms, SavedCard, Session};
use axum::http::StatusCode;
use pasarela_protocol::{Method, ProviderId, ResultStatus};
use crate::installments::{InstallmentOffer, InstallmentPlan};
use crate::openapi::schema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::ToSchema;

/// `POST /v1/sessions`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewSession {
    #[schema(value_type = schema::Provider)]
    pub provider: ProviderId,
    /// What is paid: the session charges this amount, whatever the page shows.
    pub order: Order,
    /// `id` (the storefront's customer id: saved cards belong to it), `email`, `firstName`,
    /// `lastName`, and for KR `billingDetails`, `shippingDetails`, `shoppingCart`.
    #[serde(default)]
    #[schema(schema_with = customer_schema)]
    pub customer: Value,
    /// KR's `CreatePayment` options (seed 004).
    #[serde(default)]
    pub kr: Option<KrOptions>,
    /// Seconds until the client secret stops working (default PASARELA_SESSION_TTL_MS).
    #[serde(default)]
    pub expires_in: Option<u64>,
    /// Whether the shopper's card may be kept: `off` (default), `ask`, `always`.
    #[serde(default)]
    pub save_payment_method: Option<SaveMode>,
    /// What the shopper may pay with: `card` (default), `cash`, `bank_transfer`; a `POST /pay`
    /// with another `source.type` is refused (`422`, `source.type`). KR sessions take `card` only
    /// (Lyra's form offers its own methods).
    #[serde(default)]
    #[schema(schema_with = methods_schema)]
    pub methods: Option<Vec<Method>>,
    /// The storefront page the shopper comes back to after a full-page redirect (a bank's site,
    /// a 3-D Secure page that refuses to be framed), with `?pasarela_payment=<paymentId>`:
    /// `https://`, or `http://` for localhost and 127.0.0.1.
    #[serde(default)]
    pub return_url: Option<String>,
    /// Bamboo: the networks cash and bank transfers use unless the page names one.
    #[serde(default)]
    pub bamboo: Option<BambooOptions>,
    /// Seconds a voucher or transfer may be paid in, 1 to 2592000 (30 days); default 259200 (3 days).
    #[serde(default)]
    #[schema(minimum = 1, maximum = 2592000)]
    pub voucher_expires_in: Option<u64>,
    /// The installment plans offered with a card (docs/api.md §4, "Installments"); left out, the
    /// shopper pays in full. Priced here: the answer's `installments` are the offers `POST /pay`
    /// takes. Conekta: interest-free 3, 6, 9, 12 or 18 months in MXN, above its minimum amounts.
    #[serde(default)]
    pub installments: Option<Vec<InstallmentPlan>>,
}

/// Bamboo's options of a session.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BambooOptions {
    /// The `PaymentMediaId` of each method (docs/providers/bamboo.md, "Vouchers, transfers,
    /// authentication"): Uruguay cash 5 (Abitab) or 10 (RedPagos), bank transfer 532; Mexico cash
    /// 90 (OXXOPay) or 35 (OXXO), SPEI 32.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_media_id: Option<MediaIds>,
}

/// A `PaymentMediaId` per method.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MediaIds {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cash: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_transfer: Option<u32>,
}

impl MediaIds {
    /// The id set for `method`.
    pub fn of(&self, method: Method) -> Option<u32> {
        match method {
            Method::Cash => self.cash,
            Method::BankTransfer => self.bank_transfer,
            Method::Card => None,
        }
    }
}

fn methods_schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::schema::ArrayBuilder;
    ArrayBuilder::new().items(schema::method()).description(Some("One to three different methods; default [\"card\"].")).into()
}

/// The schema of a session's `customer`: the keys the service reads; the KR ones go to Lyra as given.
fn customer_schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    let text = |d: &str| ObjectBuilder::new().schema_type(Type::String).description(Some(d));
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .property("id", text("The storefront's customer id, 1 to 128 characters: saved cards belong to it."))
        .property("email", text("The shopper's email."))
        .property("firstName", text("Given name."))
        .property("lastName", text("Family name."))
        .property("phone", text("Phone: Conekta's cash and SPEI orders (a placeholder when none), Bamboo's cash media."))
        .property("documentNumber", text("Identity document number: Bamboo's Uruguayan cash media (Abitab, RedPagos)."))
        .property("documentType", text("Its type, Bamboo's code: CI.UY (default), RUT.UY, EXT.UY."))
        .property("billingDetails", schema::object("KR: Lyra's billingDetails, as given."))
        .property("shippingDetails", schema::object("KR: Lyra's shippingDetails, as given."))
        .property("shoppingCart", schema::object("KR: Lyra's shoppingCart, as given."))
        .into()
}

/// KR's `CreatePayment` options a session passes on (seed 004).
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KrOptions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form_action: Option<KrFormAction>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strong_authentication: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub override_payment_cinematic: Option<KrCaptureMode>,
    /// Merchant data Lyra keeps with the payment: an object of its own choosing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub metadata: Option<serde_json::Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipn_target_url: Option<String>,
}

/// Seed 004's form actions.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum KrFormAction {
    Payment,
    AskRegisterPay,
    RegisterPay,
    Register,
    RegisterUpdate,
}

impl KrFormAction {
    /// What the action does with the card, as a save mode.
    fn save_mode(self) -> SaveMode {
        match self {
            Self::Payment => SaveMode::Off,
            Self::AskRegisterPay => SaveMode::Ask,
            Self::RegisterPay | Self::Register | Self::RegisterUpdate => SaveMode::Always,
        }
    }
    /// The action of a save mode: Lyra's form asks the shopper itself with `ASK_REGISTER_PAY`.
    fn of(mode: SaveMode) -> Self {
        match mode {
            SaveMode::Off => Self::Payment,
            SaveMode::Ask => Self::AskRegisterPay,
            SaveMode::Always => Self::RegisterPay,
        }
    }
}

/// Seed 004's capture modes (`overridePaymentCinematic`).
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum KrCaptureMode {
    ImmediateCapture,
    DelayedCapture,
}

/// The most minor units an amount may be: JavaScript's `Number.MAX_SAFE_INTEGER`, the largest the
/// page reads exactly (it refuses a larger order amount or installment total, src/domain/options.rs).
pub const MAX_AMOUNT: i64 = 9_007_199_254_740_991;

/// Checks an order as the page's options do: id, positive integer minor units up to
/// [`MAX_AMOUNT`], and a currency of the protocol's table (`pasarela_protocol::CURRENCIES`, the
/// page's own): an order the page would refuse to show never gets a session.
pub fn check_order(o: &Order) -> Result<(), ApiError> {
    if o.id.is_empty() || o.id.len() > 64 {
        return Err(ApiError::invalid("order.id", "order.id must be 1 to 64 characters"));
    }
    if !(1..=MAX_AMOUNT).contains(&o.amount) {
        return Err(ApiError::invalid("order.amount", "order.amount must be a positive integer of minor units, at most 9007199254740991"));
    }
    if pasarela_protocol::currency(&o.currency).is_none() {
        return Err(ApiError::invalid("order.currency", "order.currency must be an ISO 4217 code Pasarela takes, such as MXN"));
    }
    Ok(())
}

/// `POST /v1/sessions`'s answer: what the backend passes to the page.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionAnswer {
    pub id: String,
    /// The page's credential for `/pay`, `GET /pay/{id}` and `/kr/form-token`; shown once.
    pub client_secret: String,
    /// When the client secret stops working (milliseconds since the epoch).
    pub expires_at: i64,
    pub save_payment_method: SaveMode,
    /// What the shopper may pay with (for `createCheckout({ methods })`).
    #[schema(schema_with = methods_schema)]
    pub methods: Vec<Method>,
    /// The customer's saved cards for this provider (none without `customer.id`), the default first.
    pub profiles: Vec<Profile>,
    /// The installment offers, paying in full (`count: 1`) first: pass them to the page
    /// (`createCheckout({ installments })`); `POST /pay` charges only one of these counts.
    pub installments: Vec<InstallmentOffer>,
    /// Bamboo, with `customer.id`: the enrollment session of the customer's card form.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bamboo: Option<Enrollment>,
    /// KR: the form token of the embedded form.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kr: Option<FormToken>,
}

/// A KR form token (`POST /kr/form-token`, `POST /kr/bin-update`, a KR session's `kr`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FormToken {
    pub form_token: String,
}

/// `POST /v1/customers/{id}`'s answer: the customer id the links were made for.
#[derive(Debug, Serialize, ToSchema)]
pub struct LinkedCustomer {
    pub customer: String,
}

/// Opens a session.
pub async fn create(app: &App, mut req: NewSession) -> Result<SessionAnswer, ApiError> {
    app.providers.get(req.provider)?;
    check_order(&req.order)?;
    if !(req.customer.is_null() || req.customer.is_object()) {
        return Err(ApiError::invalid("customer", "customer must be an object"));
    }
    let customer = if req.customer.is_null() { json!({}) } else { req.customer.clone() };
    let customer_ref = match customer.get("id") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if !s.is_empty() && s.len() <= 128 => Some(s.clone()),
        Some(_) => return Err(ApiError::invalid("customer.id", "customer.id must be a string of 1 to 128 characters")),
    };
    // One order is paid once: no new session for an order a payment took money for.
    order_open(app, &req.order.id, req.provider == ProviderId::Kr).await?;
    let mut kr = req.kr.take().unwrap_or_default();
    let save = match (kr.form_action, req.save_payment_method) {
        (Some(a), Some(m)) if a.save_mode() != m => {
            return Err(ApiError::invalid("kr.formAction", "kr.formAction disagrees with savePaymentMethod"));
        }
        (Some(a), _) => a.save_mode(),
        (None, m) => m.unwrap_or_default(),
    };
    if save != SaveMode::Off && customer_ref.is_none() {
        let field = if kr.form_action.is_some() { "customer.id" } else { "savePaymentMethod" };
        return Err(ApiError::invalid(field, "keeping a card needs customer.id, the customer it is kept for"));
    }
    if req.provider == ProviderId::Kr {
        kr.form_action = Some(KrFormAction::of(save));
    }
    let methods = check_methods(app, &req, &customer)?;
    let plans = req.installments.take().unwrap_or_default();
    check_installments(&req, &plans, &methods)?;
    let installments = crate::installments::offers(req.order.amount, &req.order.currency, &plans);
    let return_url = req.return_url.as_deref().map(check_return_url).transpose()?;
    let voucher_ttl = req.voucher_expires_in.unwrap_or(crate::vouchers::DEFAULT_TTL_S);
    if !(1..=crate::vouchers::MAX_TTL_S).contains(&voucher_ttl) {
        return Err(ApiError::invalid("voucherExpiresIn", "voucherExpiresIn must be 1 to 2592000 seconds (30 days)"));
    }
    let kr = serde_json::to_value(&kr).expect("options serialize");
    let bamboo_options = serde_json::to_value(req.bamboo.take().unwrap_or_default()).expect("options serialize");
    let ttl_ms = req.expires_in.map(|s| s.min(24 * 3600) * 1000).unwrap_or(app.config.session_ttl.as_millis() as u64) as i64;
    let id = format!("cs_{}", random_text(24));
    let client_secret = format!("{id}_secret_{}", random_text(32));
    let mut session = Session {
        id: id.clone(),
        provider: req.provider,
        order_id: req.order.id.clone(),
        amount: req.order.amount,
        amount_due: req.order.amount,
        currency: req.order.currency.clone(),
        customer_ref: customer_ref.clone(),
        customer,
        extra: json!({ "kr": kr, "bamboo": bamboo_options, "voucherExpiresIn": voucher_ttl }),
        form_token: None,
        expires_at: now_ms() + ttl_ms,
        save_payment_method: save,
        methods: methods.clone(),
        return_url,
        installments: installments.clone(),
    };
    let (mut cards, mut bamboo) = (Vec::new(), None);
    if let Some(cref) = &customer_ref {
        match req.provider {
            ProviderId::Bamboo => bamboo = Some(sync_bamboo(app, cref, &session.customer).await?),
            ProviderId::Conekta => sync_conekta(app, cref).await?,
            ProviderId::Kr => {}
        }
        cards = store::cards_of(&app.db, cref, req.provider).await?;
    }
    if req.provider == ProviderId::Kr {
        session.form_token = Some(kr_form_token(app, &session).await?);
    }
    store::insert_session(&app.db, &session, &sha256_hex(client_secret.as_bytes())).await?;
    tracing::info!(session = %session.id, provider = session.provider.as_str(), order = %session.order_id, amount = session.amount, "session created");
    Ok(SessionAnswer {
        id,
        client_secret,
        expires_at: session.expires_at,
        save_payment_method: save,
        methods,
        profiles: cards.iter().map(SavedCard::profile).collect(),
        installments,
        bamboo,
        kr: session.form_token.map(|form_token| FormToken { form_token }),
    })
}

/// Refuses a session (or a KR form token) for an order a payment decides: one paid (`409
/// order_already_paid`), for every provider. With `kr`, also one that may still take money: a
/// pending payment (a voucher the shopper may still pay, a charge awaiting its bank) or a live
/// attempt holding the order now (`409 attempt_in_progress`, as `POST /pay` answers). Lyra's
/// form charges at Lyra itself, without `POST /pay` and so without its hold on the order
/// (docs/providers/kr.md): a form token handed out beside a pending payment could pay the order
/// twice. An attempt that died holding the order (its lease lapsed) is reconciled with its
/// provider as `POST /pay` does it ([`crate::pay::free_order`]): its charge, if any, then decides
/// the order; without one, the order is let go. Bamboo's and Conekta's sessions charge nothing
/// by themselves (their `POST /pay` holds the order), so they are opened.
async fn order_open(app: &App, order_id: &str, kr: bool) -> Result<(), ApiError> {
    if kr {
        return crate::pay::free_order(app, order_id).await;
    }
    if let Some(p) = store::deciding_payment(&app.db, order_id).await?.filter(|p| p.status == ResultStatus::Approved) {
        crate::metrics::order_conflict("order_already_paid");
        return Err(ApiError::new(StatusCode::CONFLICT, "this order is already paid").code("order_already_paid").payment(&p.id));
    }
    Ok(())
}

/// A session's `methods`: one to three different words (default `card`), each one its provider
/// takes here. KR's form runs its own methods; Conekta's cash and SPEI take pesos
/// (/tmp/research/conekta-apm.md §1, §2); Bamboo's need a medium in BAMBOO_COUNTRY (the session's
/// `bamboo.paymentMediaId`, or the country's default) whose mandatory customer fields the
/// session's customer has.
fn check_methods(app: &App, req: &NewSession, customer: &Value) -> Result<Vec<Method>, ApiError> {
    let methods = req.methods.clone().unwrap_or_else(|| vec![Method::Card]);
    if methods.is_empty() || (1..methods.len()).any(|i| methods[..i].contains(&methods[i])) {
        return Err(ApiError::invalid("methods", "methods must list card, cash or bank_transfer, each once"));
    }
    if req.bamboo.is_some() && req.provider != ProviderId::Bamboo {
        return Err(ApiError::invalid("bamboo", "bamboo options are for Bamboo sessions"));
    }
    let offline = || methods.iter().copied().filter(|m| *m != Method::Card);
    match req.provider {
        ProviderId::Kr if offline().next().is_some() => {
            return Err(ApiError::invalid("methods", "KR sessions take card only: Lyra's form offers its own methods"));
        }
        ProviderId::Conekta if offline().next().is_some() && req.order.currency != "MXN" => {
            return Err(ApiError::invalid("methods", "Conekta's cash and SPEI take MXN"));
        }
        ProviderId::Bamboo => {
            let country = app.providers.bamboo()?.config.country.clone();
            let chosen = req.bamboo.as_ref().and_then(|b| b.payment_media_id).unwrap_or_default();
            for method in [Method::Cash, Method::BankTransfer] {
                if let Some(id) = chosen.of(method) {
                    medium_for(&country, method, id).map_err(|why| ApiError::invalid(&format!("bamboo.paymentMediaId.{}", method.as_str()), why))?;
                }
            }
            for method in offline() {
                let id = chosen.of(method).or_else(|| crate::providers::bamboo::default_medium(&country, method)).ok_or_else(|| {
                    ApiError::invalid("methods", format!("no Bamboo {} medium is known in {country}: set bamboo.paymentMediaId", method.as_str()))
                })?;
                let m = medium_for(&country, method, id).map_err(|why| ApiError::invalid("methods", why))?;
                if let Some(need) = crate::providers::bamboo::missing(m, customer) {
                    return Err(ApiError::invalid(need.field(), format!("Bamboo's {} needs {}", m.name, need.field())));
                }
            }
        }
        _ => {}
    }
    Ok(methods)
}

/// A session's installment plans: each provider's rules on top of the common ones
/// (`installments::check`). Plans need the card among the methods. Conekta's monthly installments
/// are interest-free, in pesos, of the counts it documents and above each count's minimum amount
/// (`conekta::MONTHLY_INSTALLMENTS`); Lyra's are interest-free (its form charges the form token's
/// amount); Bamboo's card decides at the charge.
fn check_installments(req: &NewSession, plans: &[InstallmentPlan], methods: &[Method]) -> Result<(), ApiError> {
    if plans.is_empty() {
        return Ok(());
    }
    crate::installments::check(plans).map_err(|r| ApiError::invalid(&r.field, r.why))?;
    crate::installments::check_totals(req.order.amount, plans, MAX_AMOUNT).map_err(|r| ApiError::invalid(&r.field, r.why))?;
    if !methods.contains(&Method::Card) {
        return Err(ApiError::invalid("installments", "installments are paid by card: methods must include card"));
    }
    // Lyra's embedded form charges the amount its formToken was made for, in one payment: the
    // form's answer names no count (docs/providers/kr.md, "Installments", inferred). A plan with
    // interest would show the shopper a total the form never charges, so KR plans are
    // interest-free here, for one-click too (one rule for every card of the session).
    if req.provider == ProviderId::Kr {
        if let Some(i) = plans.iter().position(|p| p.rate.unwrap_or(0.0) != 0.0) {
            return Err(ApiError::invalid(&format!("installments[{i}].rate"), "KR's embedded form charges the form token's amount: its plans are interest-free"));
        }
    }
    if req.provider == ProviderId::Conekta {
        use crate::providers::conekta::MONTHLY_INSTALLMENTS;
        if req.order.currency != "MXN" {
            return Err(ApiError::invalid("installments", "Conekta's monthly installments take MXN"));
        }
        for (i, p) in plans.iter().enumerate() {
            let Some(&(_, least)) = MONTHLY_INSTALLMENTS.iter().find(|(n, _)| *n == p.count) else {
                return Err(ApiError::invalid(&format!("installments[{i}].count"), "Conekta offers 3, 6, 9, 12 or 18 monthly installments"));
            };
            if p.rate.unwrap_or(0.0) != 0.0 {
                return Err(ApiError::invalid(&format!("installments[{i}].rate"), "Conekta's monthly installments are interest-free (meses sin intereses)"));
            }
            if req.order.amount < least {
                return Err(ApiError::invalid(
                    &format!("installments[{i}].count"),
                    format!("Conekta takes {} monthly installments from {}.{:02} MXN", p.count, least / 100, least % 100),
                ));
            }
        }
    }
    Ok(())
}

/// The Bamboo medium `id` for `method` in `country`, or why not.
pub fn medium_for(country: &str, method: Method, id: u32) -> Result<&'static crate::providers::bamboo::Medium, String> {
    match crate::providers::bamboo::medium(id) {
        None => Err("not a PaymentMediaId this service offers (docs/providers/bamboo.md)".into()),
        Some(m) if m.method != method => Err(format!("this PaymentMediaId is not {}", method.as_str())),
        Some(m) if m.country != country => Err(format!("this PaymentMediaId is not one of {country} (BAMBOO_COUNTRY)")),
        Some(m) => Ok(m),
    }
}

/// A session's `returnUrl`: an absolute `https://` URL without credentials or fragment, or
/// `http://` on localhost, 127.0.0.1 or [::1] (a developer's storefront); 2048 characters at most.
pub fn check_return_url(url: &str) -> Result<String, ApiError> {
    let bad = || ApiError::invalid("returnUrl", "returnUrl must be an https:// URL (http:// only for localhost), without credentials or fragment");
    if url.len() > 2048 {
        return Err(bad());
    }
    let u = reqwest::Url::parse(url).map_err(|_| bad())?;
    let local = matches!(u.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    let ok = (u.scheme() == "https" || (u.scheme() == "http" && local))
        && u.host_str().is_some()
        && u.username().is_empty()
        && u.password().is_none()
        && u.fragment().is_none();
    if ok {
        Ok(u.to_string())
    } else {
        Err(bad())
    }
}

/// The open session of a client secret.
pub async fn open(app: &App, client_secret: Option<&str>) -> Result<Session, ApiError> {
    let secret = client_secret.filter(|s| !s.is_empty()).ok_or_else(|| {
        ApiError::new(StatusCode::UNAUTHORIZED, "clientSecret required: create a session from your backend (POST /v1/sessions)")
            .field("clientSecret")
    })?;
    let s = store::session_by_secret(&app.db, &sha256_hex(secret.as_bytes()))
        .await?
        .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "unknown clientSecret").field("clientSecret"))?;
    if s.expires_at < now_ms() {
        return Err(ApiError::new(StatusCode::UNAUTHORIZED, "the session expired").field("clientSecret"));
    }
    Ok(s)
}

/// The KR form token of a session (`Charge/CreatePayment` with seed 004's fields).
async fn kr_form_token(app: &App, s: &Session) -> Result<String, ApiError> {
    let kr = app.providers.kr()?;
    let opts = &s.extra["kr"];
    let c = &s.customer;
    let mut customer = json!({ "email": c.get("email"), "reference": s.customer_ref });
    for k in ["billingDetails", "shippingDetails", "shoppingCart"] {
        if let Some(v) = c.get(k) {
            customer[k] = v.clone();
        }
    }
    let mut body = json!({
        "amount": s.amount_due, "currency": s.currency, "orderId": s.order_id,
        "formAction": opts.get("formAction").and_then(Value::as_str).unwrap_or("PAYMENT"),
        "customer": customer,
        "metadata": opts.get("metadata").filter(|m| m.is_object()).cloned().unwrap_or_else(|| json!({})),
    });
    body["metadata"]["pasarelaSession"] = s.id.clone().into();
    for k in ["strongAuthentication", "overridePaymentCinematic", "ipnTargetUrl"] {
        if let Some(v) = opts.get(k) {
            body[k] = v.clone();
        }
    }
    kr.form_token(&body).await?.map_err(|code| ApiError::new(StatusCode::BAD_GATEWAY, format!("Lyra refused the form token: {code}")))
}

/// The session's KR form token (page side: `POST /kr/form-token { clientSecret }`).
pub async fn form_token_of(app: &App, client_secret: Option<&str>) -> Result<FormToken, ApiError> {
    let s = open(app, client_secret).await?;
    let Some(form_token) = s.form_token else { return Err(ApiError::invalid("clientSecret", "not a KR session")) };
    // The form it opens charges without `POST /pay`: not while the order is paid or may be.
    order_open(app, &s.order_id, true).await?;
    Ok(FormToken { form_token })
}

/// `KR.setBinUpdateNotificationUrl`'s call (wire format *inferred*, docs/providers/kr.md): the
/// storefront's BIN rule (LYRA_BIN_DISCOUNTS) lowers the amount by `Charge/UpdatePaymentAmount`,
/// and the session charges the new amount from then on.
pub async fn bin_update(app: &App, body: &BinUpdate) -> Result<FormToken, ApiError> {
    let kr = app.providers.kr()?;
    let token = body.form_token.as_str();
    let bin = crate::providers::text(&body.bin).filter(|b| (6..=8).contains(&b.len()) && b.bytes().all(|c| c.is_ascii_digit()));
    let bin = bin.ok_or_else(|| ApiError::invalid("bin", "bin must be the card's first 6 to 8 digits"))?;
    let s = store::session_by_form_token(&app.db, token).await?.ok_or_else(|| ApiError::invalid("formToken", "unknown formToken"))?;
    let unchanged = || FormToken { form_token: token.to_owned() };
    let Some(off) = kr.config.bin_discounts.get(&bin) else { return Ok(unchanged()) };
    let amount = s.amount - off;
    if amount <= 0 {
        return Ok(unchanged());
    }
    let new = kr
        .update_amount(token, amount, &bin)
        .await?
        .map_err(|code| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, format!("Lyra refused the amount update: {code}")))?;
    store::set_form_token(&app.db, &s.id, &new, amount).await?;
    Ok(FormToken { form_token: new })
}

/// `POST /kr/bin-update`'s body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BinUpdate {
    /// The session's current form token.
    pub form_token: String,
    /// The card's first 6 to 8 digits.
    #[schema(schema_with = schema::digits)]
    pub bin: Value,
}

/// The Bamboo customer of `cref` (created when new), its cards saved here, and a fresh enrollment.
pub async fn sync_bamboo(app: &App, cref: &str, customer: &Value) -> Result<crate::providers::bamboo::Enrollment, ApiError> {
    let bamboo = app.providers.bamboo()?;
    let id = match store::provider_customer(&app.db, cref, ProviderId::Bamboo).await? {
        Some(id) => id,
        None => {
            let id = bamboo.create_customer(cref, customer).await?;
            store::set_provider_customer(&app.db, cref, ProviderId::Bamboo, &id).await?
        }
    };
    let (cards, enrollment) = bamboo.customer(&id).await?;
    for (profile_id, card, issuer, installments) in cards {
        save(app, cref, ProviderId::Bamboo, &card, Some(profile_id), issuer, installments).await?;
    }
    Ok(enrollment)
}

/// The Conekta customer's sources saved here (when the customer has one).
pub async fn sync_conekta(app: &App, cref: &str) -> Result<(), ApiError> {
    let conekta = app.providers.conekta()?;
    if let Some(id) = store::provider_customer(&app.db, cref, ProviderId::Conekta).await? {
        // A customer Conekta no longer has shows no cards; a Conekta that does not answer fails.
        let cards = match conekta.cards(&id).await {
            Err(crate::providers::ProviderError::Refused(_)) => Vec::new(),
            other => other?,
        };
        for card in cards {
            save(app, cref, ProviderId::Conekta, &card, None, None, None).await?;
        }
    }
    Ok(())
}

/// Saves a provider card for a customer (idempotent by the provider secret).
pub async fn save(
    app: &App,
    cref: &str,
    provider: ProviderId,
    card: &NewCard,
    id: Option<String>,
    issuer: Option<String>,
    installments: Option<String>,
) -> Result<SavedCard, ApiError> {
    let card = SavedCard {
        id: id.unwrap_or_else(|| format!("card_{}", random_text(16))),
        customer_ref: cref.to_owned(),
        provider,
        secret: card.secret.clone(),
        provider_customer: card.provider_customer.clone(),
        brand: card.brand.clone(),
        last4: card.last4.clone(),
        expiry: card.expiry.clone(),
        holder: card.holder.clone(),
        issuer,
        installments,
        default: false,
    };
    Ok(store::save_card(&app.db, &card).await?)
}

/// `POST /v1/customers/{id}`: links provider customers and cards a storefront already has
/// (a Bamboo CustomerId, a Conekta `cus_`, KR `paymentMethodToken`s) to its customer id.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LinkCustomer {
    /// Bamboo's `CustomerId`: a positive integer, as text (`"249205"`).
    #[serde(default)]
    pub bamboo: Option<String>,
    /// Conekta's customer id: `cus_` and 10 to 32 letters or digits.
    #[serde(default)]
    pub conekta: Option<String>,
    #[serde(default)]
    pub kr: Vec<KrCard>,
}

/// A KR card a storefront registered before.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KrCard {
    pub payment_method_token: String,
    pub brand: String,
    pub last4: String,
    #[serde(default)]
    pub expiry: Option<String>,
}

/// Applies a [`LinkCustomer`]. Every provider customer id is checked before anything is stored:
/// an id of another shape would be sent to its provider by every later session of the customer
/// (docs/providers/*.md, "Ids"), so it is refused (`422`, naming `bamboo` or `conekta`). A
/// customer keeps the provider customer it has: the same id again is a no-op, another one is
/// `409 customer_already_linked` (its cards live at the first one, which sessions and charges
/// use). A stored id of another shape (linked before ids were checked) gives way to a good one.
pub async fn link(app: &App, cref: &str, l: LinkCustomer) -> Result<LinkedCustomer, ApiError> {
    use crate::providers::ids;
    let links = [(ProviderId::Bamboo, l.bamboo.as_deref(), ids::bamboo_number as fn(&str) -> bool), (ProviderId::Conekta, l.conekta.as_deref(), ids::conekta_customer)];
    for (provider, id, valid) in links {
        if id.is_some_and(|id| !valid(id)) {
            let shape = if provider == ProviderId::Bamboo { "a Bamboo CustomerId: a positive integer" } else { "a Conekta customer id: cus_ and 10 to 32 letters or digits" };
            return Err(ApiError::invalid(provider.as_str(), format!("{} must be {shape}", provider.as_str())));
        }
    }
    // All refusals before any write: a refused request links nothing.
    for (provider, id, valid) in links {
        let Some(id) = id else { continue };
        if store::provider_customer(&app.db, cref, provider).await?.is_some_and(|stored| stored != id && valid(&stored)) {
            return Err(already_linked(provider));
        }
    }
    for (provider, id, valid) in links {
        let Some(id) = id else { continue };
        let stored = store::set_provider_customer(&app.db, cref, provider, id).await?;
        if stored != id {
            // Another request linked another id meanwhile, or a stored id of another shape.
            if valid(&stored) || !store::replace_provider_customer(&app.db, cref, provider, &stored, id).await? {
                return Err(already_linked(provider));
            }
        }
    }
    for c in &l.kr {
        let card = NewCard {
            secret: crate::config::Secret::new(c.payment_method_token.clone()),
            provider_customer: None,
            brand: c.brand.clone(),
            last4: c.last4.clone(),
            expiry: c.expiry.clone(),
            holder: None,
        };
        save(app, cref, ProviderId::Kr, &card, None, None, None).await?;
    }
    Ok(LinkedCustomer { customer: cref.to_owned() })
}

/// The `409` of a customer linked to another provider customer already.
fn already_linked(provider: ProviderId) -> ApiError {
    let p = provider.as_str();
    ApiError::new(StatusCode::CONFLICT, format!("this customer is linked to another {p} customer: it keeps the first one"))
        .field(p)
        .code("customer_already_linked")
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn app() -> App {
        App::for_test(&[("BAMBOO_PRIVATE_KEY", "bk"), ("CONEKTA_PRIVATE_KEY", "key_x")]).await
    }

    fn ids(bamboo: Option<&str>, conekta: Option<&str>) -> LinkCustomer {
        LinkCustomer { bamboo: bamboo.map(Into::into), conekta: conekta.map(Into::into), kr: Vec::new() }
    }

    #[tokio::test]
    async fn a_customer_links_provider_ids_of_their_shape_once() {
        let app = app().await;
        let cref = format!("c-{}", random_text(12));
        let stored = |p| {
            let (app, cref) = (&app, &cref);
            async move { store::provider_customer(&app.db, cref, p).await.unwrap() }
        };
        let e = link(&app, &cref, ids(Some("12"), Some("cus_../x"))).await.unwrap_err();
        assert_eq!((e.status, e.body.field.as_deref()), (StatusCode::UNPROCESSABLE_ENTITY, Some("conekta")));
        assert_eq!(stored(ProviderId::Bamboo).await, None, "a refused request links nothing");
        link(&app, &cref, ids(Some("12"), None)).await.unwrap();
        link(&app, &cref, ids(Some("12"), None)).await.unwrap();
        let e = link(&app, &cref, ids(Some("13"), Some("cus_2tUigJ8DgBhbp6w5D"))).await.unwrap_err();
        assert_eq!((e.status, e.body.code, e.body.field.as_deref()), (StatusCode::CONFLICT, Some("customer_already_linked"), Some("bamboo")));
        assert_eq!((stored(ProviderId::Bamboo).await.as_deref(), stored(ProviderId::Conekta).await), (Some("12"), None));
        // An id stored before ids were checked is of no use to any provider: a good one replaces it.
        let old = format!("c-{}", random_text(12));
        store::set_provider_customer(&app.db, &old, ProviderId::Bamboo, "not-a-number").await.unwrap();
        link(&app, &old, ids(Some("481561"), None)).await.unwrap();
        assert_eq!(store::provider_customer(&app.db, &old, ProviderId::Bamboo).await.unwrap().as_deref(), Some("481561"));
        assert_eq!(link(&app, &old, ids(Some("481562"), None)).await.unwrap_err().status, StatusCode::CONFLICT);
    }
}
