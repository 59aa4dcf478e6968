//! The intake API, `/api/v1/` (`docs/sync-protocol.md`).
//!
//! - `POST /api/v1/bundles`: a bundle file as the body. Every answer carries
//!   a receipt signed by the district key: the body itself on 201 (merged),
//!   200 (already had: the original receipt, byte for byte) and 202 (stored,
//!   device awaiting approval); inside the problem details (RFC 9457) on
//!   409, 422, 403, 413, 429 and 503.
//! - `GET /api/v1/devices/{kid}`: the device's state, signed.
//! - `GET /api/v1/rule-pack`: the district's rule pack as published, signed.
//! - `GET /api/v1/status`: the district's id, key and limits (unsigned; the
//!   key is what phones pin, and officers compare its kid with `district
//!   init`'s).
//!
//! Invariant: a receipt for a stored bundle is made only from what the
//! register stored ([`receipt_of_stored`]), never from the request.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Path, Request, State as Extract};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::Router;
use http_body_util::BodyExt;
use lindung_core::bundle::{Jwk, Signer};
use lindung_core::judge::TimeWindow;
use lindung_core::sync::{
    self, DeviceState, DeviceStatus, DuplicateFlag, Outcome, PackRef, QuarantinedRecord,
    QuarantinedState, Receipt, ServerLimits, Standing, DEVICE_STATE_FORMAT, DEVICE_STATE_TYP,
    PROTOCOL_VERSION, RECEIPT_FORMAT, RECEIPT_TYP, RULE_PACK_TYP,
};
use lindung_core::Timestamp;
use serde_json::json;
use tower_http::cors::{AllowOrigin, CorsLayer};

use super::limit::PerDevice;
use super::merger::Merger;
use super::pool::Pool;
use super::Config;
use crate::key::DistrictKey;
use crate::register::{AgentStatus, Checked, IngestOutcome, StoredReceipt};

/// `Content-Type` of a signed document.
pub const JOSE_JSON: &str = "application/jose+json";
/// `Content-Type` of problem details.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// What every handler shares.
pub struct State {
    pool: Arc<Pool>,
    merger: Arc<Merger>,
    key: DistrictKey,
    config: Config,
    per_device: PerDevice,
    in_flight: tokio::sync::Semaphore,
}

impl State {
    pub fn new(pool: Arc<Pool>, key: DistrictKey, config: Config) -> State {
        State {
            pool,
            merger: Arc::default(),
            per_device: PerDevice::new(config.per_device_per_minute),
            in_flight: tokio::sync::Semaphore::new(config.max_in_flight.max(1)),
            key,
            config,
        }
    }
}

/// The server's routes: the API, and the app's files when configured.
pub fn router(state: Arc<State>, config: &Config) -> Router {
    let api = Router::new()
        .route("/api/v1/bundles", post(post_bundle))
        .route("/api/v1/devices/{kid}", get(get_device))
        .route("/api/v1/rule-pack", get(get_rule_pack))
        .route("/api/v1/status", get(get_status))
        .with_state(state)
        .route("/api/{*rest}", any(api_not_found));
    let api = if config.allowed_origins.is_empty() {
        api
    } else {
        let origins: Vec<HeaderValue> = config
            .allowed_origins
            .iter()
            .filter_map(|o| HeaderValue::from_str(o).ok())
            .collect();
        api.layer(
            CorsLayer::new()
                .allow_origin(AllowOrigin::list(origins))
                .allow_methods([Method::GET, Method::POST])
                .allow_headers([header::CONTENT_TYPE])
                .expose_headers([header::RETRY_AFTER]),
        )
    };
    let router = match &config.app {
        Some(dir) => api.fallback_service(super::app::files(dir)),
        None => api.fallback(api_not_found),
    };
    router.layer(middleware::from_fn(log_and_cache))
}

// ---------------------------------------------------------------------------
// Logging

/// What a bundle answer adds to its log line.
#[derive(Clone)]
struct BundleLog {
    kid: Option<String>,
    sequence: Option<u64>,
    outcome: &'static str,
}

/// One line per request; app files get their caching header.
async fn log_and_cache(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    if !path.starts_with("/api/") {
        super::app::set_caching(&path, response.headers_mut());
    }
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    let status = response.status().as_u16();
    // The path shows a kid at most: never personal data.
    let shown: String = path.chars().take(120).filter(|c| !c.is_control()).collect();
    match response.extensions().get::<BundleLog>() {
        Some(log) => eprintln!(
            "{method} {shown} {status} {ms:.1}ms kid={} sequence={} outcome={}",
            log.kid.as_deref().unwrap_or("-"),
            log.sequence.map_or("-".to_owned(), |s| s.to_string()),
            log.outcome
        ),
        None => eprintln!("{method} {shown} {status} {ms:.1}ms"),
    }
    response
}

// ---------------------------------------------------------------------------
// Problems

/// An RFC 9457 problem: status, stable code, English title and detail.
struct Problem {
    status: StatusCode,
    code: &'static str,
    title: &'static str,
    detail: String,
    retry_after: Option<u64>,
}

fn not_found() -> Problem {
    Problem {
        status: StatusCode::NOT_FOUND,
        code: "http.not_found",
        title: "No such resource",
        detail: "see docs/sync-protocol.md for the API's paths".into(),
        retry_after: None,
    }
}

async fn api_not_found() -> Response {
    problem_response(not_found())
}

fn problem_body(problem: &Problem, receipt: Option<&str>) -> serde_json::Value {
    let mut body = json!({
        "type": format!("urn:lindung:problem:{}", problem.code),
        "title": problem.title,
        "status": problem.status.as_u16(),
        "detail": problem.detail,
        "code": problem.code,
    });
    if let Some(receipt) = receipt.and_then(|r| serde_json::from_str::<serde_json::Value>(r).ok()) {
        body["receipt"] = receipt;
    }
    body
}

fn problem_response(problem: Problem) -> Response {
    respond_problem(problem, None, None)
}

fn respond_problem(problem: Problem, receipt: Option<&str>, log: Option<BundleLog>) -> Response {
    let body = problem_body(&problem, receipt).to_string();
    let mut response = (problem.status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(seconds) = problem.retry_after {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
    }
    if let Some(log) = log {
        response.extensions_mut().insert(log);
    }
    response
}

fn document_response(status: StatusCode, document: String, log: Option<BundleLog>) -> Response {
    let mut response = (status, document).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(JOSE_JSON));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(log) = log {
        response.extensions_mut().insert(log);
    }
    response
}

fn internal(error: &dyn std::fmt::Display) -> Problem {
    // The register's messages hold no personal data (postgres.rs keeps
    // DETAIL out); they go to the log, not to the client.
    eprintln!("serve: register error: {error}");
    Problem {
        status: StatusCode::SERVICE_UNAVAILABLE,
        code: "server.register",
        title: "The register is not available",
        detail: "the district's register could not be reached; try again later".into(),
        retry_after: Some(30),
    }
}

// ---------------------------------------------------------------------------
// Bundles

fn now() -> Timestamp {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    Timestamp::from_millis(millis)
}

/// The receipt of a bundle the register stored, from what it stored.
pub fn receipt_of_stored(
    district_id: &str,
    kid: &str,
    sequence: u64,
    stored: &StoredReceipt,
) -> Receipt {
    Receipt {
        format: RECEIPT_FORMAT.into(),
        format_version: PROTOCOL_VERSION,
        district_id: district_id.into(),
        kid: Some(kid.into()),
        sequence: Some(sequence),
        bundle_hash: Some(stored.hash.clone()),
        outcome: if stored.merged {
            Outcome::Merged
        } else {
            Outcome::Pending
        },
        code: None,
        received_at: Timestamp::from_millis(stored.received_ms),
        quarantined: stored
            .quarantined
            .iter()
            .map(|q| QuarantinedRecord {
                village: q.village.clone(),
                record_id: q.record_id.clone(),
                revision: q.revision,
                codes: q.codes.clone(),
            })
            .collect(),
    }
}

/// Who sent what, as far as it is known.
#[derive(Clone, Default)]
struct Sender {
    kid: Option<String>,
    sequence: Option<u64>,
    hash: Option<String>,
}

impl State {
    fn receipt(&self, sender: &Sender, outcome: Outcome, code: Option<&str>) -> Receipt {
        Receipt {
            format: RECEIPT_FORMAT.into(),
            format_version: PROTOCOL_VERSION,
            district_id: self.key.district_id().into(),
            kid: sender.kid.clone(),
            sequence: sender.sequence,
            bundle_hash: sender.hash.clone(),
            outcome,
            code: code.map(str::to_owned),
            received_at: now(),
            quarantined: Vec::new(),
        }
    }

    fn sign(&self, typ: &str, payload: &impl serde::Serialize) -> String {
        sync::sign_document(typ, payload, self.key.signer())
            .expect("the district's software key always signs")
    }

    /// A refusal: problem details with a receipt inside.
    fn refuse(&self, problem: Problem, sender: &Sender, outcome: Outcome) -> Response {
        let receipt = self.receipt(sender, outcome, Some(problem.code));
        let signed = self.sign(RECEIPT_TYP, &receipt);
        let log = BundleLog {
            kid: sender.kid.clone(),
            sequence: sender.sequence,
            outcome: outcome.as_str(),
        };
        respond_problem(problem, Some(&signed), Some(log))
    }
}

fn too_large(limit: usize) -> Problem {
    Problem {
        status: StatusCode::PAYLOAD_TOO_LARGE,
        code: "server.too_large",
        title: "The bundle is too large",
        detail: format!("this server takes bundles of at most {limit} bytes"),
        retry_after: None,
    }
}

/// How much of a too-large body is read (and dropped) before the 413 goes
/// out: a client that is still writing when the server closes gets a reset
/// instead of the answer, so a phone would never learn why. Past this much
/// the server answers at once and closes.
const DRAIN_AT_MOST: usize = 64 * 1024 * 1024;

/// A request body as read.
enum Read {
    Whole(Bytes),
    /// Longer than the limit; read to its end (up to [`DRAIN_AT_MOST`]).
    TooLarge,
    /// The connection failed mid-body.
    Broken,
}

/// Reads `body` whole if it is at most `limit` bytes; past that, reads on
/// and drops what comes, so that the client reads the 413.
async fn read_body(mut body: axum::body::Body, limit: usize) -> Read {
    let mut kept: Vec<u8> = Vec::new();
    let mut seen = 0usize;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            return Read::Broken;
        };
        let Ok(chunk) = frame.into_data() else {
            continue; // trailers
        };
        seen = seen.saturating_add(chunk.len());
        if seen <= limit {
            kept.extend_from_slice(&chunk);
        } else {
            kept = Vec::new();
            if seen > DRAIN_AT_MOST {
                return Read::TooLarge;
            }
        }
    }
    if seen > limit {
        Read::TooLarge
    } else {
        Read::Whole(Bytes::from(kept))
    }
}

async fn post_bundle(
    Extract(state): Extract<Arc<State>>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Response {
    let nobody = Sender::default();
    let limit = state.config.max_bundle_bytes;
    // The global cap first: nothing is read while the server is full.
    let Ok(_in_flight) = state.in_flight.try_acquire() else {
        let busy = Problem {
            status: StatusCode::SERVICE_UNAVAILABLE,
            code: "server.busy",
            title: "The server is busy",
            detail: "too many bundles are being received; send again later".into(),
            retry_after: Some(5),
        };
        return state.refuse(busy, &nobody, Outcome::RetryLater);
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > DRAIN_AT_MOST as u64) {
        // Not worth reading: answer at once, and the connection closes.
        return state.refuse(too_large(limit), &nobody, Outcome::TooLarge);
    }
    let read = tokio::time::timeout(state.config.body_timeout, read_body(body, limit));
    let bytes = match read.await {
        Ok(Read::Whole(bytes)) => bytes,
        Ok(Read::TooLarge) => return state.refuse(too_large(limit), &nobody, Outcome::TooLarge),
        Ok(Read::Broken) | Err(_) => {
            let slow = Problem {
                status: StatusCode::REQUEST_TIMEOUT,
                code: "server.body_timeout",
                title: "The bundle did not arrive",
                detail: "the request body was not received in time; send again".into(),
                retry_after: Some(1),
            };
            return state.refuse(slow, &nobody, Outcome::RetryLater);
        }
    };
    // Its records judged ahead off the register's connection, with the pack
    // the register last used (judged again there if it is another by then).
    let pack = state.pool.pack_hint();
    let checked = tokio::task::spawn_blocking(move || match pack {
        Some(pack) => {
            Checked::verify_and_judge(bytes.to_vec(), &pack, |_| TimeWindow::until(now()))
        }
        None => Checked::verify(bytes.to_vec()),
    })
    .await
    .unwrap_or_else(|panic| std::panic::resume_unwind(panic.into_panic()));
    let checked = match checked {
        Ok(checked) => checked,
        Err(error) => {
            let code = error.code();
            let bad = Problem {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                code,
                title: "Not a valid bundle",
                detail: error.to_string(),
                retry_after: None,
            };
            return state.refuse(bad, &nobody, Outcome::Rejected);
        }
    };
    let bundle = checked.bundle();
    let sender = Sender {
        kid: Some(bundle.kid.clone()),
        sequence: Some(bundle.payload.sequence),
        hash: Some(bundle.signing_input_hash.clone()),
    };
    if let Err(wait) = state.per_device.take(&bundle.kid, Instant::now()) {
        let slow_down = Problem {
            status: StatusCode::TOO_MANY_REQUESTS,
            code: "server.rate",
            title: "Too many bundles from this device",
            detail: "this device sent too many bundles in the last minute; send again later".into(),
            retry_after: Some(wait.as_secs() + 1),
        };
        return state.refuse(slow_down, &sender, Outcome::RetryLater);
    }
    let sequence = bundle.payload.sequence;
    let received_at = now();
    // With the other uploads waiting then, in one transaction.
    let answer = state.merger.merge(&state.pool, checked, received_at).await;
    let (outcome, stored) = match answer {
        Ok(done) => done,
        Err(error) => return state.refuse(internal(&error), &sender, Outcome::RetryLater),
    };
    let (status, name) = match &outcome {
        IngestOutcome::Merged { .. } => (StatusCode::CREATED, "merged"),
        IngestOutcome::AlreadyIngested { .. } => (StatusCode::OK, "already"),
        IngestOutcome::Pending { .. } => (StatusCode::ACCEPTED, "pending"),
        IngestOutcome::Rejected(rejection) => {
            let code = rejection.code();
            let (status, outcome, title) = match code {
                "register.conflict" => (
                    StatusCode::CONFLICT,
                    Outcome::Conflict,
                    "Another bundle has this sequence",
                ),
                "register.revoked" => (
                    StatusCode::FORBIDDEN,
                    Outcome::Revoked,
                    "This device's key is revoked",
                ),
                _ => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Outcome::Rejected,
                    "The register refused the bundle",
                ),
            };
            let problem = Problem {
                status,
                code,
                title,
                detail: rejection.to_string(),
                retry_after: None,
            };
            return state.refuse(problem, &sender, outcome);
        }
    };
    let Some(stored) = stored else {
        // Stored a moment ago, gone now: only a withdrawal by hand or a
        // restore could do that; the client sends again.
        let gone = Problem {
            status: StatusCode::SERVICE_UNAVAILABLE,
            code: "server.register",
            title: "The register changed",
            detail: "the bundle is not in the register any more; send again".into(),
            retry_after: Some(5),
        };
        return state.refuse(gone, &sender, Outcome::RetryLater);
    };
    let receipt = receipt_of_stored(
        state.key.district_id(),
        sender.kid.as_deref().unwrap_or_default(),
        sequence,
        &stored,
    );
    let log = BundleLog {
        kid: sender.kid.clone(),
        sequence: sender.sequence,
        outcome: name,
    };
    document_response(status, state.sign(RECEIPT_TYP, &receipt), Some(log))
}

// ---------------------------------------------------------------------------
// Device state, rule pack, status

/// Whether `kid` looks like an RFC 7638 thumbprint (43 base64url chars).
fn is_kid(kid: &str) -> bool {
    kid.len() == 43
        && kid
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

async fn get_device(Extract(state): Extract<Arc<State>>, Path(kid): Path<String>) -> Response {
    if !is_kid(&kid) {
        return problem_response(Problem {
            status: StatusCode::BAD_REQUEST,
            code: "server.kid",
            title: "Not a device key id",
            detail: "a kid is the key's RFC 7638 thumbprint: 43 base64url characters".into(),
            retry_after: None,
        });
    }
    let asked = kid.clone();
    let result = state
        .pool
        .run(move |register| {
            let facts = register.device_facts(&asked)?;
            let pack = register.pack()?;
            let standing = register.standing_of(&asked, &pack.pack)?;
            Ok((facts, pack, standing))
        })
        .await;
    let (facts, pack, standing) = match result {
        Ok(done) => done,
        Err(error) => return problem_response(internal(&error)),
    };
    let (contiguous_through, highest, missing) = sync::sequence_summary(&facts.sequences);
    let status = match facts.status {
        None => DeviceStatus::Unknown,
        Some(AgentStatus::Pending) => DeviceStatus::Pending,
        Some(AgentStatus::Approved) => DeviceStatus::Approved,
        Some(AgentStatus::Revoked) => DeviceStatus::Revoked,
    };
    let device = DeviceState {
        format: DEVICE_STATE_FORMAT.into(),
        format_version: PROTOCOL_VERSION,
        district_id: state.key.district_id().into(),
        kid,
        status,
        contiguous_through,
        highest,
        missing,
        limits: ServerLimits {
            max_bundle_bytes: state.config.max_bundle_bytes as u64,
        },
        server_time: now(),
        rule_pack: PackRef {
            id: pack.pack.id().into(),
            version: pack.pack.version().into(),
            digest: pack.digest.clone(),
        },
        quarantined: facts
            .quarantined
            .into_iter()
            .map(|q| QuarantinedState {
                sequence: q.sequence,
                record: QuarantinedRecord {
                    village: q.village,
                    record_id: q.record_id,
                    revision: q.revision,
                    codes: q.codes,
                },
            })
            .collect(),
        duplicates: facts
            .duplicates
            .into_iter()
            .map(|d| {
                let mut with = Vec::new();
                if d.another_village {
                    with.push("another_village".to_owned());
                }
                if d.another_device {
                    with.push("another_device".to_owned());
                }
                DuplicateFlag {
                    village: d.village,
                    record_id: d.record_id,
                    with,
                }
            })
            .collect(),
        standing: standing
            .into_iter()
            .map(|s| {
                let (status, position) = match s.status {
                    lindung_core::Status::Funded => ("funded", None),
                    lindung_core::Status::Waitlisted { position } => ("waitlisted", Some(position)),
                    lindung_core::Status::Apparatus => ("apparatus", None),
                };
                Standing {
                    village: s.village,
                    record_id: s.record_id,
                    status: status.into(),
                    position,
                }
            })
            .collect(),
    };
    document_response(StatusCode::OK, state.sign(DEVICE_STATE_TYP, &device), None)
}

async fn get_rule_pack(Extract(state): Extract<Arc<State>>) -> Response {
    match state.pool.run(|register| register.pack_json()).await {
        Ok((_, json)) => {
            let signed =
                sync::sign_document_bytes(RULE_PACK_TYP, json.as_bytes(), state.key.signer())
                    .expect("the district's software key always signs");
            document_response(StatusCode::OK, signed, None)
        }
        Err(error) => problem_response(internal(&error)),
    }
}

async fn get_status(Extract(state): Extract<Arc<State>>) -> Response {
    let jwk: Jwk = state.key.signer().public_jwk();
    let pack = state.pool.run(|register| register.pack()).await;
    let pack = match pack {
        Ok(pack) => json!({
            "id": pack.pack.id(),
            "version": pack.pack.version(),
            "digest": pack.digest,
        }),
        Err(error) => return problem_response(internal(&error)),
    };
    let body = json!({
        "service": "lindung-district",
        "protocol_version": PROTOCOL_VERSION,
        "district_id": state.key.district_id(),
        "district_kid": state.key.kid(),
        "district_jwk": jwk,
        "server_time": now().to_string(),
        "limits": {"max_bundle_bytes": state.config.max_bundle_bytes},
        "rule_pack": pack,
    });
    let mut response = (StatusCode::OK, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use lindung_core::bundle::parse_rfc3339;

    #[test]
    fn kids_are_thumbprints() {
        assert!(is_kid(&"a".repeat(43)));
        assert!(is_kid("abcdefghijklmnopqrstuvwxyzABCDEFGHIJ-_01234"));
        assert!(!is_kid(&"a".repeat(42)));
        assert!(!is_kid(&format!("{}/", "a".repeat(42))));
        assert!(!is_kid(&format!("{}=", "a".repeat(42))));
    }

    #[test]
    fn a_stored_receipt_does_not_depend_on_the_request() {
        let stored = StoredReceipt {
            hash: "h".into(),
            merged: true,
            received_ms: 1_790_812_800_000,
            quarantined: vec![],
        };
        let a = receipt_of_stored("61.07", "k", 3, &stored);
        assert_eq!(a, receipt_of_stored("61.07", "k", 3, &stored));
        assert_eq!(
            a.received_at,
            parse_rfc3339("2026-10-01T00:00:00Z").unwrap()
        );
        assert_eq!(a.outcome, Outcome::Merged);
    }
}
