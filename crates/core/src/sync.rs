//! The sync protocol's formats (`docs/sync-protocol.md`): what the district
//! signs and the phone checks.
//!
//! The district answers with **documents**: JWS in flattened JSON
//! serialization, ES256, a protected header of exactly `alg`, `typ`, `kid`,
//! `jwk` (as bundles have), told apart by `typ`:
//! - a [`Receipt`] for every bundle it was sent (`typ` [`RECEIPT_TYP`]),
//! - a [`DeviceState`] for `GET /api/v1/devices/{kid}` ([`DEVICE_STATE_TYP`]),
//! - the district's rule pack ([`RULE_PACK_TYP`]; the payload is the pack's
//!   JSON as published).
//!
//! Receipts are a function of what the register stored (kid, sequence,
//! hash, state, time received, quarantined records), and ES256 signing here
//! is deterministic (RFC 6979), so a replay gets the original receipt byte
//! for byte.
//!
//! The phone verifies with WebCrypto ([`Document::signing_input`],
//! [`Document::signature`], the key's coordinates); native code with
//! [`Document::verifies`]. A document is trusted only if its key is the
//! pinned district key ([`Document::check_pinned`]).

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::bundle::{b64url, b64url_decode, duplicate_member, Jwk, SignError, Signer, ALG};
use crate::record::Timestamp;

/// The protocol version: the `/api/v1/` in every path and every document's
/// `format_version`.
pub const PROTOCOL_VERSION: u32 = 1;
/// `typ` of a receipt.
pub const RECEIPT_TYP: &str = "lindung-receipt+json";
/// `typ` of a device state.
pub const DEVICE_STATE_TYP: &str = "lindung-device-state+json";
/// `typ` of the district's signed rule pack.
pub const RULE_PACK_TYP: &str = "lindung-rule-pack+json";
/// `format` of a receipt's payload.
pub const RECEIPT_FORMAT: &str = "lindung.receipt";
/// `format` of a device state's payload.
pub const DEVICE_STATE_FORMAT: &str = "lindung.device-state";

// ---------------------------------------------------------------------------
// Documents

/// Signs `payload` (serialized as JSON) as a document of type `typ`.
pub fn sign_document(
    typ: &str,
    payload: &impl Serialize,
    signer: &impl Signer,
) -> Result<String, SignError> {
    let payload = serde_json::to_vec(payload).expect("a document payload serializes");
    sign_document_bytes(typ, &payload, signer)
}

/// Signs `payload` (JSON text, taken as is) as a document of type `typ`.
pub fn sign_document_bytes(
    typ: &str,
    payload: &[u8],
    signer: &impl Signer,
) -> Result<String, SignError> {
    // A struct, so the member order is fixed: alg, typ, kid, jwk.
    #[derive(Serialize)]
    struct Header<'a> {
        alg: &'a str,
        typ: &'a str,
        kid: &'a str,
        jwk: &'a Jwk,
    }
    let jwk = signer.public_jwk();
    let kid = jwk.thumbprint();
    let header = Header {
        alg: ALG,
        typ,
        kid: &kid,
        jwk: &jwk,
    };
    let protected = b64url(&serde_json::to_vec(&header).expect("a header serializes"));
    let payload = b64url(payload);
    let signature = signer.sign(format!("{protected}.{payload}").as_bytes())?;
    Ok(format!(
        r#"{{"protected":"{protected}","payload":"{payload}","signature":"{}"}}"#,
        b64url(&signature)
    ))
}

/// A document whose shape and header checked out; its signature is checked
/// by [`Document::verifies`] (or WebCrypto, from the parts).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    pub typ: String,
    /// The signing key's RFC 7638 thumbprint (checked against `jwk`).
    pub kid: String,
    pub jwk: Jwk,
    signing_input: Vec<u8>,
    signature: Vec<u8>,
    payload: Vec<u8>,
}

/// Why a document was not accepted. [`DocumentError::code`] is stable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DocumentError {
    /// Not a JSON object of exactly `protected`, `payload`, `signature`
    /// strings in base64url, or a member named twice.
    Shape,
    /// The header is not exactly `alg` ES256, `typ`, `kid`, `jwk`.
    Header,
    /// Another kind of document than the one expected.
    Typ { expected: String, found: String },
    /// `kid` is not the thumbprint of `jwk`.
    Kid,
    /// Signed by another key than the pinned district key.
    NotPinned { pinned: String, found: String },
    /// The signature does not verify.
    Signature,
    /// The payload is not what its type says.
    Payload(String),
}

impl DocumentError {
    pub fn code(&self) -> &'static str {
        match self {
            DocumentError::Shape => "document.shape",
            DocumentError::Header => "document.header",
            DocumentError::Typ { .. } => "document.typ",
            DocumentError::Kid => "document.kid",
            DocumentError::NotPinned { .. } => "document.not_pinned",
            DocumentError::Signature => "document.signature",
            DocumentError::Payload(_) => "document.payload",
        }
    }
}

impl std::fmt::Display for DocumentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DocumentError::Shape => write!(f, "not a signed document (flattened JWS JSON)"),
            DocumentError::Header => write!(f, "the document's header is not ES256 with a key"),
            DocumentError::Typ { expected, found } => {
                write!(f, "a {found} document where a {expected} was expected")
            }
            DocumentError::Kid => write!(f, "the document's kid is not its key's thumbprint"),
            DocumentError::NotPinned { pinned, found } => write!(
                f,
                "signed by key {found}, not by the district key {pinned} this device trusts"
            ),
            DocumentError::Signature => write!(f, "the document's signature does not verify"),
            DocumentError::Payload(why) => write!(f, "the document's content is not valid: {why}"),
        }
    }
}

impl std::error::Error for DocumentError {}

/// Reads a document of type `typ`: shape, header, key and kid. Never panics.
pub fn open_document(bytes: &[u8], typ: &str) -> Result<Document, DocumentError> {
    if duplicate_member(bytes).is_some() {
        return Err(DocumentError::Shape);
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Envelope<'a> {
        protected: &'a str,
        payload: &'a str,
        signature: &'a str,
    }
    let envelope: Envelope<'_> = serde_json::from_slice(bytes).map_err(|_| DocumentError::Shape)?;
    let protected = b64url_decode(envelope.protected).ok_or(DocumentError::Shape)?;
    let payload = b64url_decode(envelope.payload).ok_or(DocumentError::Shape)?;
    let signature = b64url_decode(envelope.signature).ok_or(DocumentError::Shape)?;
    if duplicate_member(&protected).is_some() {
        return Err(DocumentError::Header);
    }
    let header: Map<String, Value> =
        serde_json::from_slice(&protected).map_err(|_| DocumentError::Header)?;
    let member = |name: &str| header.get(name).ok_or(DocumentError::Header);
    if header.len() != 4 || member("alg")?.as_str() != Some(ALG) {
        return Err(DocumentError::Header);
    }
    let found = member("typ")?.as_str().ok_or(DocumentError::Header)?;
    if found != typ {
        return Err(DocumentError::Typ {
            expected: typ.to_owned(),
            found: found.to_owned(),
        });
    }
    let jwk = Jwk::from_value(member("jwk")?).ok_or(DocumentError::Header)?;
    let kid = jwk.thumbprint();
    if member("kid")?.as_str() != Some(kid.as_str()) {
        return Err(DocumentError::Kid);
    }
    let mut signing_input = envelope.protected.as_bytes().to_vec();
    signing_input.push(b'.');
    signing_input.extend_from_slice(envelope.payload.as_bytes());
    Ok(Document {
        typ: typ.to_owned(),
        kid,
        jwk,
        signing_input,
        signature,
        payload,
    })
}

impl Document {
    /// The bytes the signature covers (`protected || "." || payload`).
    pub fn signing_input(&self) -> &[u8] {
        &self.signing_input
    }

    /// The raw `r || s` signature.
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// The decoded payload bytes.
    pub fn payload_bytes(&self) -> &[u8] {
        &self.payload
    }

    /// Whether the signature verifies under the document's own key.
    pub fn verifies(&self) -> bool {
        self.jwk.verifies(&self.signing_input, &self.signature)
    }

    /// An error unless the document is signed by the key `pinned` (a kid).
    pub fn check_pinned(&self, pinned: &str) -> Result<(), DocumentError> {
        if self.kid == pinned {
            Ok(())
        } else {
            Err(DocumentError::NotPinned {
                pinned: pinned.to_owned(),
                found: self.kid.clone(),
            })
        }
    }

    /// The payload as `T` (strict: unknown members and names twice refused).
    pub fn payload<T: DeserializeOwned>(&self) -> Result<T, DocumentError> {
        if let Some(name) = duplicate_member(&self.payload) {
            return Err(DocumentError::Payload(format!("`{name}` twice")));
        }
        serde_json::from_slice(&self.payload).map_err(|e| DocumentError::Payload(e.to_string()))
    }
}

/// Opens, verifies (with the core's ES256) and reads a document of type
/// `typ`, signed by the key `pinned` if one is given.
pub fn read_document<T: DeserializeOwned>(
    bytes: &[u8],
    typ: &str,
    pinned: Option<&str>,
) -> Result<(Document, T), DocumentError> {
    let document = open_document(bytes, typ)?;
    if let Some(pinned) = pinned {
        document.check_pinned(pinned)?;
    }
    if !document.verifies() {
        return Err(DocumentError::Signature);
    }
    let payload = document.payload()?;
    Ok((document, payload))
}

// ---------------------------------------------------------------------------
// Receipts

/// What the district did with a bundle it was sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Stored and merged (its quarantined records listed).
    Merged,
    /// Stored; the device awaits an officer's approval.
    Pending,
    /// Another bundle with the same kid and sequence is stored.
    Conflict,
    /// Bad signature, format or content (`code` says which).
    Rejected,
    /// The device's key is revoked.
    Revoked,
    /// Larger than the server takes.
    TooLarge,
    /// Not looked at: the server is busy, the device sent too much, or the
    /// body did not arrive; send it again after `Retry-After`.
    RetryLater,
}

impl Outcome {
    /// Whether the district holds the bundle: the phone need not send it
    /// again.
    pub fn delivered(self) -> bool {
        matches!(self, Outcome::Merged | Outcome::Pending)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Merged => "merged",
            Outcome::Pending => "pending",
            Outcome::Conflict => "conflict",
            Outcome::Rejected => "rejected",
            Outcome::Revoked => "revoked",
            Outcome::TooLarge => "too_large",
            Outcome::RetryLater => "retry_later",
        }
    }
}

/// A record the district quarantined, with the codes it found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuarantinedRecord {
    pub village: String,
    pub record_id: String,
    pub revision: u32,
    pub codes: Vec<String>,
}

/// The district's signed answer to one bundle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Receipt {
    /// [`RECEIPT_FORMAT`].
    pub format: String,
    /// [`PROTOCOL_VERSION`].
    pub format_version: u32,
    pub district_id: String,
    /// The bundle's device key, sequence and hash (its signing input's
    /// SHA-256, as `previous` defines it); `None` when the bundle could not
    /// be read far enough to know them.
    pub kid: Option<String>,
    pub sequence: Option<u64>,
    pub bundle_hash: Option<String>,
    pub outcome: Outcome,
    /// The stable code of a refusal (`bundle.signature`, `register.chain`).
    pub code: Option<String>,
    /// When the district first received the bundle (stored bundles), or
    /// this request.
    #[serde(with = "crate::bundle::rfc3339")]
    pub received_at: Timestamp,
    pub quarantined: Vec<QuarantinedRecord>,
}

impl Receipt {
    /// Whether this receipt is about the bundle (`kid`, `sequence`, `hash`).
    pub fn is_for(&self, kid: &str, sequence: u64, hash: &str) -> bool {
        self.kid.as_deref() == Some(kid)
            && self.sequence == Some(sequence)
            && self.bundle_hash.as_deref() == Some(hash)
    }
}

/// Reads a receipt signed by `pinned` for the bundle (`kid`, `sequence`,
/// `hash`): a bundle is delivered only on such a receipt whose outcome
/// says so.
pub fn check_receipt(
    bytes: &[u8],
    pinned: &str,
    kid: &str,
    sequence: u64,
    hash: &str,
) -> Result<Receipt, DocumentError> {
    let document = open_document(bytes, RECEIPT_TYP)?;
    document.check_pinned(pinned)?;
    if !document.verifies() {
        return Err(DocumentError::Signature);
    }
    receipt_from(&document, pinned, kid, sequence, hash)
}

/// [`check_receipt`] for a document whose signature the caller verified
/// (the app, with WebCrypto): everything but the signature.
pub fn receipt_from(
    document: &Document,
    pinned: &str,
    kid: &str,
    sequence: u64,
    hash: &str,
) -> Result<Receipt, DocumentError> {
    if document.typ != RECEIPT_TYP {
        return Err(DocumentError::Typ {
            expected: RECEIPT_TYP.into(),
            found: document.typ.clone(),
        });
    }
    document.check_pinned(pinned)?;
    let receipt: Receipt = document.payload()?;
    if receipt.format != RECEIPT_FORMAT || receipt.format_version != PROTOCOL_VERSION {
        return Err(DocumentError::Payload("not a version 1 receipt".into()));
    }
    if !receipt.is_for(kid, sequence, hash) {
        return Err(DocumentError::Payload(
            "the receipt is for another bundle".into(),
        ));
    }
    Ok(receipt)
}

// ---------------------------------------------------------------------------
// Device state

/// What the district knows of a device key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceStatus {
    /// Never seen.
    Unknown,
    /// Seen; its bundles wait for an officer.
    Pending,
    Approved,
    Revoked,
}

/// A rule pack by name and content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackRef {
    pub id: String,
    pub version: String,
    /// Base64url SHA-256 of the pack's JSON as published.
    pub digest: String,
}

/// The server's limits a client must respect.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerLimits {
    /// The largest bundle file it takes, in bytes.
    pub max_bundle_bytes: u64,
}

/// A record of the device the district quarantined, and in which bundle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuarantinedState {
    pub sequence: u64,
    #[serde(flatten)]
    pub record: QuarantinedRecord,
}

/// A record of the device whose NIK another active record also holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DuplicateFlag {
    pub village: String,
    pub record_id: String,
    /// Where the others are: `another_village` or `another_device` (the
    /// other records are not the phone's to see).
    pub with: Vec<String>,
}

/// The district's standing of a record of the device in its village.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Standing {
    pub village: String,
    pub record_id: String,
    /// `funded`, `waitlisted` or `apparatus`.
    pub status: String,
    /// The place on the waitlist (from 1), for `waitlisted`.
    pub position: Option<u32>,
}

/// The district's signed word about one device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceState {
    /// [`DEVICE_STATE_FORMAT`].
    pub format: String,
    /// [`PROTOCOL_VERSION`].
    pub format_version: u32,
    pub district_id: String,
    pub kid: String,
    pub status: DeviceStatus,
    /// The highest sequence such that every sequence from 1 to it is
    /// stored (0: none).
    pub contiguous_through: u64,
    /// The highest sequence stored (0: none).
    pub highest: u64,
    /// Sequences below `highest` the district lacks, as inclusive ranges.
    pub missing: Vec<[u64; 2]>,
    pub limits: ServerLimits,
    #[serde(with = "crate::bundle::rfc3339")]
    pub server_time: Timestamp,
    pub rule_pack: PackRef,
    pub quarantined: Vec<QuarantinedState>,
    pub duplicates: Vec<DuplicateFlag>,
    pub standing: Vec<Standing>,
}

/// Reads a device state signed by `pinned` (or by any key, on first
/// contact, when `pinned` is `None`: the caller then pins its kid) for
/// device `kid`.
pub fn check_device_state(
    bytes: &[u8],
    pinned: Option<&str>,
    kid: &str,
) -> Result<(Document, DeviceState), DocumentError> {
    let document = open_document(bytes, DEVICE_STATE_TYP)?;
    if let Some(pinned) = pinned {
        document.check_pinned(pinned)?;
    }
    if !document.verifies() {
        return Err(DocumentError::Signature);
    }
    let state = device_state_from(&document, pinned, kid)?;
    Ok((document, state))
}

/// [`check_device_state`] for a document whose signature the caller
/// verified: everything but the signature.
pub fn device_state_from(
    document: &Document,
    pinned: Option<&str>,
    kid: &str,
) -> Result<DeviceState, DocumentError> {
    if let Some(pinned) = pinned {
        document.check_pinned(pinned)?;
    }
    let state: DeviceState = document.payload()?;
    if state.format != DEVICE_STATE_FORMAT || state.format_version != PROTOCOL_VERSION {
        return Err(DocumentError::Payload(
            "not a version 1 device state".into(),
        ));
    }
    if state.kid != kid {
        return Err(DocumentError::Payload(
            "the device state is for another device".into(),
        ));
    }
    Ok(state)
}

/// `contiguous_through`, `highest` and `missing` of a device whose stored
/// sequences are `stored` (any order, duplicates allowed).
pub fn sequence_summary(stored: &[u64]) -> (u64, u64, Vec<[u64; 2]>) {
    let mut sorted: Vec<u64> = stored.iter().copied().filter(|&s| s > 0).collect();
    sorted.sort_unstable();
    sorted.dedup();
    let highest = sorted.last().copied().unwrap_or(0);
    let mut missing = Vec::new();
    let mut expected = 1;
    for &sequence in &sorted {
        if sequence > expected {
            missing.push([expected, sequence - 1]);
        }
        expected = sequence + 1;
    }
    let contiguous = missing.first().map_or(highest, |[first, _]| first - 1);
    (contiguous, highest, missing)
}

/// The district server's address as the agent typed it, normalised
/// (`https://host[:port][/path]`, no trailing `/`); `Err` with a stable code
/// (`server_url.scheme`, `server_url.host`) when it is not one.
pub fn normalize_server_url(text: &str) -> Result<String, &'static str> {
    let text = text.trim();
    let (scheme, rest) = if let Some(rest) = text.strip_prefix("https://") {
        ("https://", rest)
    } else if let Some(rest) = text.strip_prefix("http://") {
        ("http://", rest)
    } else {
        return Err("server_url.scheme");
    };
    let rest = rest.trim_end_matches('/');
    let host = rest.split('/').next().unwrap_or("");
    let ok = !host.is_empty()
        && !rest.contains(char::is_whitespace)
        && !host.contains('@')
        && !rest.contains(['?', '#']);
    if ok {
        Ok(format!("{scheme}{rest}"))
    } else {
        Err("server_url.host")
    }
}

// ---------------------------------------------------------------------------
// The outbox's retry schedule

/// The first wait after a failed send, in milliseconds (1 minute).
pub const RETRY_FIRST_MS: u64 = 60_000;
/// The longest wait (30 minutes).
pub const RETRY_MAX_MS: u64 = 30 * 60_000;

/// How long to wait before attempt `failures + 1` after `failures` failed
/// sends in a row: 1 minute doubling up to 30 minutes, spread by `jitter`
/// (in `[0, 1)`) over the upper half of the wait, so phones that lost the
/// network together do not come back together. Never gives up.
pub fn retry_delay_ms(failures: u32, jitter: f64) -> u64 {
    if failures == 0 {
        return 0;
    }
    let doubled = RETRY_FIRST_MS.saturating_mul(1_u64 << (failures - 1).min(20));
    let wait = doubled.min(RETRY_MAX_MS);
    let jitter = if jitter.is_finite() {
        jitter.clamp(0.0, 1.0)
    } else {
        0.0
    };
    wait / 2 + ((wait / 2) as f64 * jitter) as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::SoftwareSigner;

    fn district() -> SoftwareSigner {
        SoftwareSigner::from_secret(&[7; 32]).unwrap()
    }

    fn receipt() -> Receipt {
        Receipt {
            format: RECEIPT_FORMAT.into(),
            format_version: PROTOCOL_VERSION,
            district_id: "61.07".into(),
            kid: Some("device".into()),
            sequence: Some(3),
            bundle_hash: Some("hash".into()),
            outcome: Outcome::Merged,
            code: None,
            received_at: Timestamp::from_millis(1_790_812_800_000),
            quarantined: vec![QuarantinedRecord {
                village: "61.07.01.2001".into(),
                record_id: "r1".into(),
                revision: 1,
                codes: vec!["nik.length".into()],
            }],
        }
    }

    #[test]
    fn a_receipt_signs_the_same_every_time_and_reads_back() {
        let signer = district();
        let kid = signer.public_jwk().thumbprint();
        let one = sign_document(RECEIPT_TYP, &receipt(), &signer).unwrap();
        let two = sign_document(RECEIPT_TYP, &receipt(), &signer).unwrap();
        assert_eq!(one, two, "RFC 6979: deterministic");
        let read = check_receipt(one.as_bytes(), &kid, "device", 3, "hash").unwrap();
        assert_eq!(read, receipt());
        assert!(read.outcome.delivered());
    }

    #[test]
    fn receipts_that_must_not_count() {
        let signer = district();
        let kid = signer.public_jwk().thumbprint();
        let other = SoftwareSigner::from_secret(&[8; 32]).unwrap();
        let good = sign_document(RECEIPT_TYP, &receipt(), &signer).unwrap();
        let by_other = sign_document(RECEIPT_TYP, &receipt(), &other).unwrap();
        let state_typ = sign_document(DEVICE_STATE_TYP, &receipt(), &signer).unwrap();
        let mut tampered: Value = serde_json::from_str(&good).unwrap();
        let other_payload = {
            let mut r = receipt();
            r.outcome = Outcome::Pending;
            b64url(&serde_json::to_vec(&r).unwrap())
        };
        tampered["payload"] = other_payload.into();
        let tampered = tampered.to_string();
        let twice = good.replacen('{', r#"{"payload":"e30","#, 1);
        let cases: [(&str, &str, u64, &str, &str); 8] = [
            (
                "signed by another key",
                &by_other,
                3,
                "hash",
                "document.not_pinned",
            ),
            (
                "another kind of document",
                &state_typ,
                3,
                "hash",
                "document.typ",
            ),
            (
                "payload changed",
                &tampered,
                3,
                "hash",
                "document.signature",
            ),
            ("member twice", &twice, 3, "hash", "document.shape"),
            ("another sequence", &good, 4, "hash", "document.payload"),
            ("another hash", &good, 3, "other", "document.payload"),
            ("not JSON", "<html>", 3, "hash", "document.shape"),
            ("empty", "", 3, "hash", "document.shape"),
        ];
        for (what, bytes, sequence, hash, code) in cases {
            let got = check_receipt(bytes.as_bytes(), &kid, "device", sequence, hash);
            assert_eq!(got.map_err(|e| e.code()), Err(code), "{what}");
        }
    }

    #[test]
    fn server_urls() {
        let cases = [
            (
                "https://lindung.example.go.id",
                Ok("https://lindung.example.go.id"),
            ),
            (
                " https://lindung.example.go.id/ ",
                Ok("https://lindung.example.go.id"),
            ),
            ("http://127.0.0.1:8787", Ok("http://127.0.0.1:8787")),
            (
                "https://kab.example/lindung/",
                Ok("https://kab.example/lindung"),
            ),
            ("lindung.example.go.id", Err("server_url.scheme")),
            ("ftp://x", Err("server_url.scheme")),
            ("https://", Err("server_url.host")),
            ("https://user@host", Err("server_url.host")),
            ("https://host/a b", Err("server_url.host")),
            ("https://host/?x=1", Err("server_url.host")),
        ];
        for (text, want) in cases {
            assert_eq!(
                normalize_server_url(text).as_deref().map_err(|e| *e),
                want,
                "{text}"
            );
        }
    }

    #[test]
    fn sequence_summaries() {
        type Summary = (u64, u64, &'static [[u64; 2]]);
        let cases: [(&[u64], Summary); 6] = [
            (&[], (0, 0, &[])),
            (&[1, 2, 3], (3, 3, &[])),
            (&[3, 1, 2, 2], (3, 3, &[])),
            (&[2], (0, 2, &[[1, 1]])),
            (&[1, 2, 5, 7], (2, 7, &[[3, 4], [6, 6]])),
            (&[0, 1], (1, 1, &[])),
        ];
        for (stored, (contiguous, highest, missing)) in cases {
            assert_eq!(
                sequence_summary(stored),
                (contiguous, highest, missing.to_vec()),
                "{stored:?}"
            );
        }
    }

    #[test]
    fn retries_back_off_to_half_an_hour_and_never_stop() {
        let minute = 60_000;
        let cases: [(u32, f64, u64); 9] = [
            (0, 0.5, 0),
            (1, 0.0, minute / 2),
            (1, 0.999_999, minute - 1),
            (2, 0.0, minute),
            (3, 1.0, 4 * minute),
            (6, 0.0, 15 * minute),
            (6, 1.0, 30 * minute),
            (1000, 0.0, 15 * minute),
            (1000, f64::NAN, 15 * minute),
        ];
        for (failures, jitter, want) in cases {
            assert_eq!(
                retry_delay_ms(failures, jitter),
                want,
                "{failures} {jitter}"
            );
        }
    }
}
