//! Export bundles: what a field agent's device sends to the district office.
//!
//! A bundle is a JWS in flattened JSON serialization (RFC 7515 §7.2.2),
//! signed with ES256 (RFC 7518 §3.4), carrying its own public key in the
//! protected header, so any RFC 7515 library can verify it from the file
//! alone. Format: `docs/bundle-format.md`.
//!
//! There is no canonicalisation: the signature covers the exact base64url
//! text (`protected || "." || payload`), and verification works on the text
//! as received, never on a re-encoding.
//!
//! Building a payload is a pure function: the time, the bundle id and the
//! statuses are passed in. Signing goes through the [`Signer`] trait (the app
//! signs with WebCrypto; [`SoftwareSigner`] signs from fixed secret bytes for
//! tests and the district side), or in two steps ([`prepare`], then
//! [`Prepared::finish`]) when the signature comes from an async API.

use std::borrow::Cow;
use std::fmt;

use p256::ecdsa::signature::hazmat::PrehashVerifier as _;
use p256::ecdsa::signature::{Signer as _, Verifier as _};
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::{EncodedPoint, PublicKey};
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::date::Date;
use crate::nik::Sex;
use crate::record::{Action, Agent, Timestamp, WorkerRecord};
use crate::roster::Status;
use crate::rulepack::RulePack;

/// `format` of every bundle payload.
pub const FORMAT: &str = "lindung.bundle";
/// The payload version this code writes and reads.
pub const FORMAT_VERSION: u32 = 1;
/// The JWS `alg`: ECDSA P-256 with SHA-256, signature is raw `r || s`.
pub const ALG: &str = "ES256";
/// The JWS `typ` of a bundle.
pub const TYP: &str = "lindung-bundle+json";

/// Base64url without padding (RFC 7515 §2). The same text as base64ct's
/// `Base64UrlUnpadded` (a test compares them), from a table: a bundle's
/// payload is megabytes and not secret, and base64ct's constant-time encoding
/// was the slowest step of making a bundle on a phone.
pub fn b64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let char_of = |six: u32| ALPHABET[(six & 63) as usize];
    let whole = bytes.len() / 3;
    let extra = match bytes.len() % 3 {
        0 => 0,
        1 => 2,
        _ => 3,
    };
    let mut out = vec![0_u8; whole * 4 + extra];
    let (out_whole, out_rest) = out.split_at_mut(whole * 4);
    for (src, dst) in bytes.chunks_exact(3).zip(out_whole.chunks_exact_mut(4)) {
        let n = u32::from(src[0]) << 16 | u32::from(src[1]) << 8 | u32::from(src[2]);
        dst.copy_from_slice(&[
            char_of(n >> 18),
            char_of(n >> 12),
            char_of(n >> 6),
            char_of(n),
        ]);
    }
    match bytes[whole * 3..] {
        [a] => out_rest.copy_from_slice(&[char_of(u32::from(a) >> 2), char_of(u32::from(a) << 4)]),
        [a, b] => {
            let n = u32::from(a) << 8 | u32::from(b);
            out_rest.copy_from_slice(&[char_of(n >> 10), char_of(n >> 4), char_of(n << 2)]);
        }
        _ => {}
    }
    String::from_utf8(out).unwrap_or_else(|_| unreachable!("the base64url alphabet is ASCII"))
}

/// Base64url SHA-256 of `bytes`: rule pack digests and bundle chain links.
pub fn sha256_b64url(bytes: &[u8]) -> String {
    b64url(&Sha256::digest(bytes))
}

/// Strict base64url (RFC 7515 §2): no padding, no whitespace, canonical
/// trailing bits; `None` otherwise. It accepts exactly what base64ct's
/// `Base64UrlUnpadded` accepts (a test compares them), but looks characters up
/// in a table: bundle payloads are large and not secret, and base64ct's
/// constant-time decoding made it the slowest step of verifying a bundle.
pub fn b64url_decode(text: &str) -> Option<Vec<u8>> {
    /// The 6-bit value of each byte, or 0xff.
    const TABLE: [u8; 256] = {
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut table = [0xff_u8; 256];
        let mut i = 0;
        while i < 64 {
            table[alphabet[i] as usize] = i as u8;
            i += 1;
        }
        table
    };
    let input = text.as_bytes();
    let (whole, rest) = input.split_at(input.len() / 4 * 4);
    let extra = match rest.len() {
        0 => 0,
        2 => 1,
        3 => 2,
        _ => return None,
    };
    let mut out = vec![0_u8; whole.len() / 4 * 3 + extra];
    let (out_whole, out_rest) = out.split_at_mut(whole.len() / 4 * 3);
    // Valid values are below 64: any 0xff sets the top bits of `seen`.
    let mut seen = 0_u8;
    for (src, dst) in whole.chunks_exact(4).zip(out_whole.chunks_exact_mut(3)) {
        let (a, b) = (TABLE[usize::from(src[0])], TABLE[usize::from(src[1])]);
        let (c, d) = (TABLE[usize::from(src[2])], TABLE[usize::from(src[3])]);
        seen |= a | b | c | d;
        dst[0] = a << 2 | b >> 4;
        dst[1] = b << 4 | c >> 2;
        dst[2] = c << 6 | d;
    }
    let mut last = [0_u8; 3];
    for (slot, &c) in last.iter_mut().zip(rest) {
        *slot = TABLE[usize::from(c)];
        seen |= *slot;
    }
    if seen >= 64 {
        return None;
    }
    let [a, b, c] = last;
    // The bits after the last whole byte must be zero (canonical).
    match out_rest {
        [] => {}
        [x] if b & 0x0f == 0 => *x = a << 2 | b >> 4,
        [x, y] if c & 0x03 == 0 => {
            *x = a << 2 | b >> 4;
            *y = b << 4 | c >> 2;
        }
        _ => return None,
    }
    Some(out)
}

// ---------------------------------------------------------------------------
// Keys

/// A P-256 public key as a JWK (`kty` "EC", `crv` "P-256"). Only constructors
/// that check the point make one, so a `Jwk` is always a valid key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Jwk {
    x: String,
    y: String,
    key: VerifyingKey,
}

impl Jwk {
    /// The key with these base64url coordinates (as WebCrypto's JWK export
    /// gives them), or `None` if they are not a point on P-256.
    pub fn from_coordinates(x: &str, y: &str) -> Option<Jwk> {
        let xb = b64url_decode(x)?;
        let yb = b64url_decode(y)?;
        if xb.len() != 32 || yb.len() != 32 {
            return None;
        }
        let point = EncodedPoint::from_affine_coordinates(
            p256::FieldBytes::from_slice(&xb),
            p256::FieldBytes::from_slice(&yb),
            false,
        );
        let key = VerifyingKey::from_encoded_point(&point).ok()?;
        Some(Jwk {
            x: x.to_owned(),
            y: y.to_owned(),
            key,
        })
    }

    pub fn from_verifying_key(key: &VerifyingKey) -> Jwk {
        let point = PublicKey::from(key).to_encoded_point(false);
        let (Some(x), Some(y)) = (point.x(), point.y()) else {
            unreachable!("an uncompressed non-identity point has coordinates")
        };
        Jwk {
            x: b64url(x),
            y: b64url(y),
            key: *key,
        }
    }

    pub fn x(&self) -> &str {
        &self.x
    }

    pub fn y(&self) -> &str {
        &self.y
    }

    /// The RFC 7638 thumbprint: base64url SHA-256 of
    /// `{"crv":"P-256","kty":"EC","x":"…","y":"…"}`. It is the key's `kid`.
    pub fn thumbprint(&self) -> String {
        let canonical = format!(
            r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
            self.x, self.y
        );
        sha256_b64url(canonical.as_bytes())
    }

    /// The key as an uncompressed SEC 1 point (`0x04 || x || y`), the form
    /// other ECDSA libraries take.
    pub fn sec1_uncompressed(&self) -> [u8; 65] {
        let mut point = [0_u8; 65];
        point.copy_from_slice(
            PublicKey::from(&self.key)
                .to_encoded_point(false)
                .as_bytes(),
        );
        point
    }

    /// Whether `signature` (raw `r || s`) signs `message` under this key.
    pub fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        Signature::from_slice(signature)
            .is_ok_and(|signature| self.key.verify(message, &signature).is_ok())
    }

    /// [`Jwk::verifies`] for a message whose SHA-256 is `digest` (ES256
    /// signs the SHA-256 of the message, so the two agree).
    fn verifies_digest(&self, digest: &[u8], signature: &[u8]) -> bool {
        Signature::from_slice(signature)
            .is_ok_and(|signature| self.key.verify_prehash(digest, &signature).is_ok())
    }

    /// Reads a JWK object; `None` unless it is exactly `kty`, `crv`, `x`, `y`
    /// of a P-256 point.
    pub(crate) fn from_value(value: &Value) -> Option<Jwk> {
        let object = value.as_object()?;
        if object.len() != 4 {
            return None;
        }
        let member = |name: &str| object.get(name).and_then(Value::as_str);
        if member("kty")? != "EC" || member("crv")? != "P-256" {
            return None;
        }
        Jwk::from_coordinates(member("x")?, member("y")?)
    }
}

impl Serialize for Jwk {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Wire<'a> {
            kty: &'a str,
            crv: &'a str,
            x: &'a str,
            y: &'a str,
        }
        Wire {
            kty: "EC",
            crv: "P-256",
            x: &self.x,
            y: &self.y,
        }
        .serialize(serializer)
    }
}

/// A signer could not sign (the key is missing, WebCrypto failed, ...).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignError(pub String);

impl fmt::Display for SignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "signing failed: {}", self.0)
    }
}

impl std::error::Error for SignError {}

/// Something that holds a P-256 private key and signs with ES256.
pub trait Signer {
    fn public_jwk(&self) -> Jwk;
    /// ECDSA P-256 / SHA-256 over `signing_input`, as raw `r || s`.
    fn sign(&self, signing_input: &[u8]) -> Result<[u8; 64], SignError>;
}

/// An ES256 key held in memory, from fixed secret bytes. Signing is
/// deterministic (RFC 6979), so the same payload always gives the same JWS.
#[derive(Clone)]
pub struct SoftwareSigner {
    key: SigningKey,
}

impl SoftwareSigner {
    /// The key with this secret scalar, or `None` if it is zero or not below
    /// the curve order.
    pub fn from_secret(secret: &[u8; 32]) -> Option<SoftwareSigner> {
        SigningKey::from_slice(secret)
            .ok()
            .map(|key| SoftwareSigner { key })
    }
}

impl fmt::Debug for SoftwareSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SoftwareSigner")
            .field("kid", &self.public_jwk().thumbprint())
            .finish_non_exhaustive()
    }
}

impl Signer for SoftwareSigner {
    fn public_jwk(&self) -> Jwk {
        Jwk::from_verifying_key(self.key.verifying_key())
    }

    fn sign(&self, signing_input: &[u8]) -> Result<[u8; 64], SignError> {
        let signature: Signature = self.key.sign(signing_input);
        Ok(signature.to_bytes().into())
    }
}

// ---------------------------------------------------------------------------
// Payload

/// The signed content of a bundle (the JWS payload, UTF-8 JSON).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundlePayload {
    /// Always [`FORMAT`].
    pub format: String,
    /// Always [`FORMAT_VERSION`] for bundles this code reads.
    pub format_version: u32,
    pub bundle_id: String,
    /// The `kid` of the device key that signs this bundle.
    pub device_kid: String,
    #[serde(deserialize_with = "strict_agent")]
    pub agent: Agent,
    /// 1 for the device's first bundle, then +1 each bundle.
    pub sequence: u64,
    /// [`VerifiedBundle::signing_input_hash`] of the previous bundle; absent
    /// for sequence 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<String>,
    #[serde(with = "rfc3339")]
    pub created_at: Timestamp,
    pub rule_pack: PackDigest,
    pub villages: Vec<BundleVillage>,
    pub records: Vec<BundleRecord>,
}

/// An [`Agent`] as a bundle carries it: exactly `id` and `name`. `Agent`
/// itself ignores unknown members (stored records), and a member it ignores
/// could also appear twice without the payload's fast path noticing.
fn strict_agent<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Agent, D::Error> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Wire {
        id: String,
        name: String,
    }
    let Wire { id, name } = Wire::deserialize(deserializer)?;
    Ok(Agent { id, name })
}

/// The rule pack active on the device, and the digest of its JSON as shipped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackDigest {
    pub id: String,
    pub version: String,
    /// Base64url SHA-256 of the pack's JSON bytes ([`sha256_b64url`]).
    pub digest: String,
}

impl PackDigest {
    /// `pack` and the digest of the bytes it was read from.
    pub fn new(pack: &RulePack, shipped_json: &[u8]) -> PackDigest {
        PackDigest {
            id: pack.id().to_owned(),
            version: pack.version().to_owned(),
            digest: sha256_b64url(shipped_json),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleVillage {
    pub code: String,
    pub name: String,
    pub funded_slots: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    Upsert,
    Remove,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BundleStatus {
    Funded,
    Waitlisted,
    Apparatus,
    Removed,
}

impl From<Status> for BundleStatus {
    fn from(status: Status) -> BundleStatus {
        match status {
            Status::Funded => BundleStatus::Funded,
            Status::Waitlisted { .. } => BundleStatus::Waitlisted,
            Status::Apparatus => BundleStatus::Apparatus,
        }
    }
}

/// The device's verdict on a record: always eligible (a record only holds a
/// registration that passed), with the pack that judged it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleVerdict {
    pub eligible: bool,
    pub pack_id: String,
    pub pack_version: String,
    pub reasons: Vec<String>,
}

/// One change to a record, as in [`crate::record::HistoryEntry`], with the
/// time in RFC 3339 like every other time in a bundle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleHistoryEntry {
    pub revision: u32,
    #[serde(with = "rfc3339")]
    pub at: Timestamp,
    #[serde(deserialize_with = "strict_agent")]
    pub agent: Agent,
    pub action: Action,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleRecord {
    pub record_id: String,
    pub revision: u32,
    pub op: Op,
    pub village: String,
    pub nik: String,
    pub name: String,
    pub birth_date: Date,
    pub sex: Sex,
    pub segment: String,
    pub category: String,
    pub funding_source: String,
    pub with_jht: bool,
    pub status: BundleStatus,
    #[serde(with = "rfc3339")]
    pub created_at: Timestamp,
    #[serde(with = "rfc3339")]
    pub updated_at: Timestamp,
    pub verdict: BundleVerdict,
    pub history: Vec<BundleHistoryEntry>,
}

/// Everything a payload is built from. Time, ids and statuses are passed in.
#[derive(Clone, Copy, Debug)]
pub struct PayloadInput<'a> {
    pub bundle_id: &'a str,
    /// The signer's `kid` ([`Jwk::thumbprint`]).
    pub device_kid: &'a str,
    pub agent: &'a Agent,
    pub sequence: u64,
    /// The previous bundle's signing input hash; `None` for sequence 1.
    pub previous: Option<&'a str>,
    pub created_at: Timestamp,
    pub rule_pack: &'a PackDigest,
    pub villages: &'a [BundleVillage],
    /// Every record to send with its status in its roster: `Some` for an
    /// active record, `None` for a removed one.
    pub records: &'a [(WorkerRecord, Option<Status>)],
}

/// Why a payload could not be built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BuildError {
    /// An active record came without a status, or a removed one with one.
    Status { record_id: String },
    /// A record's village is not among the bundle's villages.
    Village { record_id: String },
    /// The payload breaks a bundle rule (chain, ids).
    Invalid(BundleError),
}

impl BuildError {
    pub fn code(&self) -> &'static str {
        match self {
            BuildError::Status { .. } => "bundle.build_status",
            BuildError::Village { .. } => "bundle.build_village",
            BuildError::Invalid(error) => error.code(),
        }
    }
}

/// Builds a payload. Pure: the same input gives the same payload.
pub fn build_payload(input: PayloadInput<'_>) -> Result<BundlePayload, BuildError> {
    let mut records = Vec::with_capacity(input.records.len());
    for (record, status) in input.records {
        let record_id = record.id().as_str().to_owned();
        let status = match (record.is_active(), status) {
            (true, Some(status)) => BundleStatus::from(*status),
            (false, None) => BundleStatus::Removed,
            _ => return Err(BuildError::Status { record_id }),
        };
        if !input.villages.iter().any(|v| v.code == record.village()) {
            return Err(BuildError::Village { record_id });
        }
        let registration = record.registration();
        records.push(BundleRecord {
            record_id,
            revision: record.revision(),
            op: if record.is_active() {
                Op::Upsert
            } else {
                Op::Remove
            },
            village: record.village().to_owned(),
            nik: registration.nik.as_str().to_owned(),
            name: registration.name.clone(),
            birth_date: registration.birth_date,
            sex: registration.sex,
            segment: registration.segment.clone(),
            category: registration.category.clone(),
            funding_source: registration.funding_source.clone(),
            with_jht: registration.with_jht,
            status,
            created_at: record.created_at(),
            updated_at: record.updated_at(),
            verdict: BundleVerdict {
                eligible: true,
                pack_id: registration.pack.id.clone(),
                pack_version: registration.pack.version.clone(),
                reasons: Vec::new(),
            },
            history: record
                .history()
                .iter()
                .map(|h| BundleHistoryEntry {
                    revision: h.revision,
                    at: h.at,
                    agent: h.agent.clone(),
                    action: h.action,
                    fields: h.fields.clone(),
                    reason: h.reason.clone(),
                })
                .collect(),
        });
    }
    let payload = BundlePayload {
        format: FORMAT.to_owned(),
        format_version: FORMAT_VERSION,
        bundle_id: input.bundle_id.to_owned(),
        device_kid: input.device_kid.to_owned(),
        agent: input.agent.clone(),
        sequence: input.sequence,
        previous: input.previous.map(str::to_owned),
        created_at: input.created_at,
        rule_pack: input.rule_pack.clone(),
        villages: input.villages.to_vec(),
        records,
    };
    check_payload(&payload).map_err(BuildError::Invalid)?;
    Ok(payload)
}

/// The rules a payload obeys beyond its JSON shape.
fn check_payload(payload: &BundlePayload) -> Result<(), BundleError> {
    if payload.format != FORMAT {
        return Err(BundleError::Format);
    }
    if payload.format_version != FORMAT_VERSION {
        return Err(BundleError::FormatVersion);
    }
    if payload.bundle_id.is_empty() {
        return Err(BundleError::BundleId);
    }
    match (payload.sequence, &payload.previous) {
        (0, _) => Err(BundleError::SequenceZero),
        (1, Some(_)) => Err(BundleError::PreviousUnexpected),
        (1, None) => Ok(()),
        (_, None) => Err(BundleError::PreviousMissing),
        (_, Some(previous)) => match b64url_decode(previous) {
            Some(bytes) if bytes.len() == 32 => Ok(()),
            _ => Err(BundleError::PreviousMalformed),
        },
    }?;
    let long_id = payload.records.iter().any(|r| {
        r.record_id.len() > MAX_RECORD_ID_BYTES || r.village.len() > MAX_VILLAGE_CODE_BYTES
    });
    let long_code = payload
        .villages
        .iter()
        .any(|v| v.code.len() > MAX_VILLAGE_CODE_BYTES);
    if long_id || long_code {
        return Err(BundleError::KeyTooLong);
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Signing

/// A bundle file and the hash the next bundle's `previous` must carry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedBundle {
    /// The JWS, flattened JSON serialization.
    pub jws: String,
    pub signing_input_hash: String,
}

/// A payload encoded for signing, waiting for its signature.
#[derive(Clone, Debug)]
pub struct Prepared {
    protected: String,
    payload: String,
    jwk: Jwk,
}

impl Prepared {
    /// The bytes to sign: `protected || "." || payload`.
    pub fn signing_input(&self) -> String {
        format!("{}.{}", self.protected, self.payload)
    }

    /// The bundle with `signature` (raw `r || s`), checked against the key,
    /// so a broken signer never produces a file the office would refuse.
    pub fn finish(self, signature: &[u8; 64]) -> Result<SignedBundle, BundleError> {
        if !self
            .jwk
            .verifies(self.signing_input().as_bytes(), signature)
        {
            return Err(BundleError::Signature);
        }
        Ok(self.finish_verified(signature))
    }

    /// The bundle with `signature`, which the caller has already verified
    /// against this key with another implementation. The app does so with
    /// WebCrypto's `verify` (see `src/device.rs`), which keeps the core's
    /// P-256 arithmetic out of the WebAssembly download.
    pub fn finish_verified(self, signature: &[u8; 64]) -> SignedBundle {
        let digest: [u8; 32] = Sha256::digest(self.signing_input().as_bytes()).into();
        self.finish_verified_with_digest(signature, &digest)
    }

    /// As [`Prepared::finish_verified`], with the SHA-256 of
    /// [`Prepared::signing_input`] computed by the caller with another
    /// implementation: the app uses WebCrypto's, many times faster on a phone
    /// than hashing megabytes in WebAssembly. It must be the digest of exactly
    /// the bytes that were signed: the next bundle's `previous` carries it,
    /// and a wrong one breaks the device's chain at the district.
    pub fn finish_verified_with_digest(
        self,
        signature: &[u8; 64],
        signing_input_sha256: &[u8; 32],
    ) -> SignedBundle {
        let jws = format!(
            r#"{{"protected":"{}","payload":"{}","signature":"{}"}}"#,
            self.protected,
            self.payload,
            b64url(signature)
        );
        SignedBundle {
            jws,
            signing_input_hash: b64url(signing_input_sha256),
        }
    }
}

/// Encodes the header and payload for the key `jwk`. The payload's
/// `device_kid` must be the key's thumbprint.
pub fn prepare(payload: &BundlePayload, jwk: &Jwk) -> Result<Prepared, BundleError> {
    check_payload(payload)?;
    let kid = jwk.thumbprint();
    if payload.device_kid != kid {
        return Err(BundleError::DeviceKid);
    }
    // A struct, not a JSON map, so member order never depends on serde_json
    // features: alg, typ, kid, jwk.
    #[derive(Serialize)]
    struct Header<'a> {
        alg: &'a str,
        typ: &'a str,
        kid: &'a str,
        jwk: &'a Jwk,
    }
    let header = Header {
        alg: ALG,
        typ: TYP,
        kid: &kid,
        jwk,
    };
    let header = serde_json::to_string(&header).expect("a header always serializes");
    // Sized for the usual record (about 600 bytes of JSON), so that megabytes
    // are not copied over and over as the text grows.
    let mut json = Vec::with_capacity(4096 + payload.records.len() * 640);
    serde_json::to_writer(&mut json, payload).expect("a payload always serializes");
    let payload =
        String::from_utf8(json).unwrap_or_else(|_| unreachable!("serde_json writes UTF-8"));
    Ok(Prepared {
        protected: b64url(header.as_bytes()),
        payload: b64url(payload.as_bytes()),
        jwk: jwk.clone(),
    })
}

/// Signs `payload` with `signer`: the bundle file and its chain hash.
pub fn sign_bundle(
    payload: &BundlePayload,
    signer: &impl Signer,
) -> Result<SignedBundle, SignBundleError> {
    let prepared = prepare(payload, &signer.public_jwk()).map_err(SignBundleError::Bundle)?;
    let signature = signer
        .sign(prepared.signing_input().as_bytes())
        .map_err(SignBundleError::Signer)?;
    prepared.finish(&signature).map_err(SignBundleError::Bundle)
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignBundleError {
    /// The payload or the signature breaks a bundle rule.
    Bundle(BundleError),
    Signer(SignError),
}

// ---------------------------------------------------------------------------
// Verification

/// How much a verifier accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest bundle file, in bytes.
    pub max_bytes: usize,
}

impl Limits {
    /// 32 MiB: a district's bundle of a few thousand records is a few MiB.
    pub const DEFAULT: Limits = Limits {
        max_bytes: 32 * 1024 * 1024,
    };
}

/// A bundle whose signature, key id and payload all checked out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedBundle {
    pub kid: String,
    pub jwk: Jwk,
    pub payload: BundlePayload,
    /// Base64url SHA-256 of the signing input: the next bundle's `previous`.
    pub signing_input_hash: String,
}

/// Why a bundle was refused. [`BundleError::code`] is stable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BundleError {
    TooLarge {
        size: usize,
        limit: usize,
    },
    /// The file is not a JSON object.
    Json,
    /// A member name appears twice in one JSON object of the file (`at`
    /// "bundle"), of the protected header ("header") or of the payload
    /// ("payload"), at any depth. Readers that keep the first and readers
    /// that keep the last would read different bundles from one signature.
    DuplicateMember {
        at: &'static str,
        name: String,
    },
    MemberMissing(&'static str),
    MemberExtra(String),
    /// A member that must be a string is not.
    MemberType(&'static str),
    Base64(&'static str),
    /// The protected header is not a JSON object.
    HeaderJson,
    HeaderMemberMissing(&'static str),
    HeaderMemberExtra(String),
    /// `alg` is not ES256 (`none`, `HS256`, ...).
    Alg(String),
    Typ,
    /// The header `jwk` is not a P-256 public key.
    Jwk,
    /// The header `kid` is not the thumbprint of the header `jwk`.
    Kid,
    Signature,
    PayloadJson(String),
    Format,
    FormatVersion,
    /// The payload's `device_kid` is not the signing key's `kid`.
    DeviceKid,
    BundleId,
    SequenceZero,
    /// Sequence 1 carries a `previous`.
    PreviousUnexpected,
    /// A sequence after 1 has no `previous`.
    PreviousMissing,
    /// `previous` is not a base64url SHA-256.
    PreviousMalformed,
    /// A text of the payload holds U+0000 (written `\u0000`), which no
    /// field of a bundle has a use for and which a PostgreSQL register
    /// cannot store.
    Nul,
    /// A record's `record_id` is longer than [`MAX_RECORD_ID_BYTES`], or a
    /// village code (a record's `village`, or in `villages`) longer than
    /// [`MAX_VILLAGE_CODE_BYTES`]: too long to key a record by.
    KeyTooLong,
}

/// The longest `record_id` a bundle may carry, in bytes (the app's are
/// UUIDs, 36 bytes). The register keys records by (village, record_id).
pub const MAX_RECORD_ID_BYTES: usize = 128;
/// The longest village code a bundle may carry, in bytes (a code is 13).
pub const MAX_VILLAGE_CODE_BYTES: usize = 64;

impl BundleError {
    pub fn code(&self) -> &'static str {
        match self {
            BundleError::TooLarge { .. } => "bundle.too_large",
            BundleError::Json => "bundle.json",
            BundleError::DuplicateMember { .. } => "bundle.duplicate_member",
            BundleError::MemberMissing(_) => "bundle.member_missing",
            BundleError::MemberExtra(_) => "bundle.member_extra",
            BundleError::MemberType(_) => "bundle.member_type",
            BundleError::Base64(_) => "bundle.base64",
            BundleError::HeaderJson => "bundle.header_json",
            BundleError::HeaderMemberMissing(_) => "bundle.header_member_missing",
            BundleError::HeaderMemberExtra(_) => "bundle.header_member_extra",
            BundleError::Alg(_) => "bundle.alg",
            BundleError::Typ => "bundle.typ",
            BundleError::Jwk => "bundle.jwk",
            BundleError::Kid => "bundle.kid",
            BundleError::Signature => "bundle.signature",
            BundleError::PayloadJson(_) => "bundle.payload_json",
            BundleError::Format => "bundle.format",
            BundleError::FormatVersion => "bundle.format_version",
            BundleError::DeviceKid => "bundle.device_kid",
            BundleError::BundleId => "bundle.bundle_id",
            BundleError::SequenceZero => "bundle.sequence_zero",
            BundleError::PreviousUnexpected => "bundle.previous_unexpected",
            BundleError::PreviousMissing => "bundle.previous_missing",
            BundleError::PreviousMalformed => "bundle.previous_malformed",
            BundleError::Nul => "bundle.nul",
            BundleError::KeyTooLong => "bundle.key_too_long",
        }
    }
}

impl fmt::Display for BundleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BundleError::TooLarge { size, limit } => {
                write!(f, "bundle is {size} bytes, the limit is {limit}")
            }
            BundleError::Json => f.write_str("bundle is not a JSON object"),
            BundleError::DuplicateMember { at, name } => {
                let at = if *at == "header" {
                    "protected header"
                } else {
                    at
                };
                write!(f, "{at} has the member `{name}` twice")
            }
            BundleError::MemberMissing(m) => write!(f, "bundle has no `{m}`"),
            BundleError::MemberExtra(m) => write!(f, "bundle has an unexpected member `{m}`"),
            BundleError::MemberType(m) => write!(f, "bundle `{m}` is not a string"),
            BundleError::Base64(m) => write!(f, "bundle `{m}` is not base64url"),
            BundleError::HeaderJson => f.write_str("protected header is not a JSON object"),
            BundleError::HeaderMemberMissing(m) => write!(f, "protected header has no `{m}`"),
            BundleError::HeaderMemberExtra(m) => {
                write!(f, "protected header has an unexpected member `{m}`")
            }
            BundleError::Alg(alg) => write!(f, "alg is {alg:?}, not {ALG}"),
            BundleError::Typ => write!(f, "typ is not {TYP}"),
            BundleError::Jwk => f.write_str("header jwk is not a P-256 public key"),
            BundleError::Kid => f.write_str("kid is not the thumbprint of the header jwk"),
            BundleError::Signature => f.write_str("signature does not verify"),
            BundleError::PayloadJson(e) => write!(f, "payload is not a bundle payload: {e}"),
            BundleError::Format => write!(f, "payload format is not {FORMAT}"),
            BundleError::FormatVersion => {
                write!(f, "payload format_version is not {FORMAT_VERSION}")
            }
            BundleError::DeviceKid => f.write_str("payload device_kid is not the signing key"),
            BundleError::BundleId => f.write_str("payload bundle_id is empty"),
            BundleError::SequenceZero => f.write_str("sequence starts at 1"),
            BundleError::PreviousUnexpected => f.write_str("sequence 1 has no previous bundle"),
            BundleError::PreviousMissing => f.write_str("sequence after 1 needs previous"),
            BundleError::PreviousMalformed => f.write_str("previous is not a base64url SHA-256"),
            BundleError::Nul => f.write_str("a text of the payload holds the character U+0000"),
            BundleError::KeyTooLong => write!(
                f,
                "a record_id is longer than {MAX_RECORD_ID_BYTES} bytes or a village code \
                 longer than {MAX_VILLAGE_CODE_BYTES}"
            ),
        }
    }
}

impl std::error::Error for BundleError {}

/// A bundle's JWS signing input, `protected || "." || payload`, as its two
/// base64url parts.
#[derive(Clone, Copy, Debug)]
pub struct SigningInput<'a> {
    pub protected: &'a str,
    pub payload: &'a str,
}

impl SigningInput<'_> {
    /// The signing input as one byte string.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(self.protected.len() + 1 + self.payload.len());
        bytes.extend_from_slice(self.protected.as_bytes());
        bytes.push(b'.');
        bytes.extend_from_slice(self.payload.as_bytes());
        bytes
    }
}

/// An ES256 (ECDSA P-256 with SHA-256) signature check, for
/// [`verify_bundle_with`]. [`CoreEs256`] is the core's own; a native
/// program may plug in a faster implementation of the same algorithm.
pub trait Es256 {
    /// Whether `signature` (raw `r || s`) signs `input` under `key`.
    /// `digest` is SHA-256 of the signing input, already computed for the
    /// chain; an implementation may use it instead of hashing again.
    fn verifies(
        &self,
        key: &Jwk,
        input: SigningInput<'_>,
        digest: &[u8; 32],
        signature: &[u8],
    ) -> bool;
}

/// The core's ES256 check (the `p256` crate, on the precomputed digest).
#[derive(Clone, Copy, Debug, Default)]
pub struct CoreEs256;

impl Es256 for CoreEs256 {
    fn verifies(
        &self,
        key: &Jwk,
        _: SigningInput<'_>,
        digest: &[u8; 32],
        signature: &[u8],
    ) -> bool {
        key.verifies_digest(digest, signature)
    }
}

/// Checks a bundle file: size, shape, header, key id, signature, payload and
/// chain rule, in that order; the first failure is the error. Never panics.
pub fn verify_bundle(bytes: &[u8], limits: Limits) -> Result<VerifiedBundle, BundleError> {
    verify_bundle_with(bytes, limits, &CoreEs256)
}

/// [`verify_bundle`] with the signature checked by `es256`.
pub fn verify_bundle_with(
    bytes: &[u8],
    limits: Limits,
    es256: &dyn Es256,
) -> Result<VerifiedBundle, BundleError> {
    if bytes.len() > limits.max_bytes {
        return Err(BundleError::TooLarge {
            size: bytes.len(),
            limit: limits.max_bytes,
        });
    }
    // Fast path: exactly the three members, strings without escapes
    // (base64url has none), borrowed from `bytes`. Anything else takes the
    // general path, which names the problem. The struct refuses a member
    // twice, so only the general path looks for one.
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Envelope<'a> {
        protected: &'a str,
        payload: &'a str,
        signature: &'a str,
    }
    let outer: Map<String, Value>;
    let [protected_b64, payload_b64, signature_b64] =
        match serde_json::from_slice::<Envelope<'_>>(bytes) {
            Ok(envelope) => [envelope.protected, envelope.payload, envelope.signature],
            Err(_) => {
                if let Some(name) = duplicate_member(bytes) {
                    return Err(BundleError::DuplicateMember { at: "bundle", name });
                }
                outer = serde_json::from_slice(bytes).map_err(|_| BundleError::Json)?;
                const MEMBERS: [&str; 3] = ["protected", "payload", "signature"];
                if let Some(extra) = outer.keys().find(|k| !MEMBERS.contains(&k.as_str())) {
                    return Err(BundleError::MemberExtra(extra.clone()));
                }
                let mut text = [""; 3];
                for (slot, name) in text.iter_mut().zip(MEMBERS) {
                    *slot = outer
                        .get(name)
                        .ok_or(BundleError::MemberMissing(name))?
                        .as_str()
                        .ok_or(BundleError::MemberType(name))?;
                }
                text
            }
        };
    let protected = b64url_decode(protected_b64).ok_or(BundleError::Base64("protected"))?;
    let payload = b64url_decode(payload_b64).ok_or(BundleError::Base64("payload"))?;
    let signature = b64url_decode(signature_b64).ok_or(BundleError::Base64("signature"))?;

    if let Some(name) = duplicate_member(&protected) {
        return Err(BundleError::DuplicateMember { at: "header", name });
    }
    let header: Map<String, Value> =
        serde_json::from_slice(&protected).map_err(|_| BundleError::HeaderJson)?;
    const HEADER: [&str; 4] = ["alg", "typ", "kid", "jwk"];
    if let Some(extra) = header.keys().find(|k| !HEADER.contains(&k.as_str())) {
        return Err(BundleError::HeaderMemberExtra(extra.clone()));
    }
    let member = |name: &'static str| {
        header
            .get(name)
            .ok_or(BundleError::HeaderMemberMissing(name))
    };
    match member("alg")? {
        Value::String(alg) if alg == ALG => {}
        Value::String(alg) => return Err(BundleError::Alg(alg.clone())),
        other => return Err(BundleError::Alg(other.to_string())),
    }
    if member("typ")?.as_str() != Some(TYP) {
        return Err(BundleError::Typ);
    }
    let jwk = Jwk::from_value(member("jwk")?).ok_or(BundleError::Jwk)?;
    let kid = jwk.thumbprint();
    if member("kid")?.as_str() != Some(kid.as_str()) {
        return Err(BundleError::Kid);
    }

    // The signing input is hashed once: for the signature and the chain.
    let digest: [u8; 32] = Sha256::new()
        .chain_update(protected_b64)
        .chain_update(".")
        .chain_update(payload_b64)
        .finalize()
        .into();
    let input = SigningInput {
        protected: protected_b64,
        payload: payload_b64,
    };
    if !es256.verifies(&jwk, input, &digest, &signature) {
        return Err(BundleError::Signature);
    }

    // Fast path: the payload straight into its struct. If that fails, the
    // general path says why: a member twice, then `format` and
    // `format_version`, then the rest. Every object of a payload is a
    // derived struct that refuses unknown members and a member twice, so a
    // payload the fast path reads has no member twice, and only the general
    // path looks for one (a second pass over every payload would cost the
    // district as much as the parse).
    let nul_escaped = escapes_nul(&payload);
    let payload: BundlePayload = match serde_json::from_slice::<BundlePayload>(&payload) {
        Ok(payload) => {
            if payload.format != FORMAT {
                return Err(BundleError::Format);
            }
            if payload.format_version != FORMAT_VERSION {
                return Err(BundleError::FormatVersion);
            }
            payload
        }
        Err(_) => {
            if let Some(name) = duplicate_member(&payload) {
                return Err(BundleError::DuplicateMember {
                    at: "payload",
                    name,
                });
            }
            let value: Value = serde_json::from_slice(&payload)
                .map_err(|e| BundleError::PayloadJson(e.to_string()))?;
            if value.get("format").and_then(Value::as_str) != Some(FORMAT) {
                return Err(BundleError::Format);
            }
            if value.get("format_version").and_then(Value::as_u64)
                != Some(u64::from(FORMAT_VERSION))
            {
                return Err(BundleError::FormatVersion);
            }
            serde_json::from_value(value).map_err(|e| BundleError::PayloadJson(e.to_string()))?
        }
    };
    check_payload(&payload)?;
    if nul_escaped {
        return Err(BundleError::Nul);
    }
    if payload.device_kid != kid {
        return Err(BundleError::DeviceKid);
    }
    Ok(VerifiedBundle {
        kid,
        jwk,
        payload,
        signing_input_hash: b64url(&digest),
    })
}

/// Whether the JSON text `json` writes U+0000 in a string (`\u0000`: a
/// raw NUL byte is not JSON). Each backslash starts an escape of one
/// character, so in `\\u0000` the second backslash is the escaped one and
/// `u0000` is plain text.
fn escapes_nul(json: &[u8]) -> bool {
    let mut next = 0;
    for at in memchr::memchr_iter(b'\\', json) {
        if at < next {
            continue;
        }
        if json[at + 1..].starts_with(b"u0000") {
            return true;
        }
        next = at + 2;
    }
    false
}

// ---------------------------------------------------------------------------
// Member names

/// The first member name that appears twice in one object of the JSON text
/// `bytes`, at any depth, with escapes decoded (`"a"` and `"\u0061"` are one
/// name). `None` if there is none before the text ends or stops being JSON;
/// whoever parses the text next reports that. Builds nothing but the set of
/// names of each object while it is read.
pub(crate) fn duplicate_member(bytes: &[u8]) -> Option<String> {
    let mut found = None;
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    // An error is either the duplicate (then `found` is set) or the text
    // not being JSON.
    let _ = UniqueMembers { found: &mut found }.deserialize(&mut deserializer);
    found
}

/// Reads any JSON value and fails at the first member name repeated within
/// one object, after putting the name in `found`.
struct UniqueMembers<'a> {
    found: &'a mut Option<String>,
}

impl<'de> DeserializeSeed<'de> for UniqueMembers<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for UniqueMembers<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq
            .next_element_seed(UniqueMembers {
                found: &mut *self.found,
            })?
            .is_some()
        {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        // A set, not a list: an untrusted object may have millions of members.
        #[allow(clippy::disallowed_types)]
        let mut names = std::collections::BTreeSet::new();
        while let Some(MemberName(name)) = map.next_key()? {
            if names.contains(&name) {
                *self.found = Some(name.into_owned());
                return Err(de::Error::custom("a member name appears twice"));
            }
            names.insert(name);
            map.next_value_seed(UniqueMembers {
                found: &mut *self.found,
            })?;
        }
        Ok(())
    }
}

/// A member name, borrowed from the text unless it has escapes.
struct MemberName<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for MemberName<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NameVisitor;

        impl<'de> Visitor<'de> for NameVisitor {
            type Value = MemberName<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }

            fn visit_borrowed_str<E: de::Error>(
                self,
                name: &'de str,
            ) -> Result<MemberName<'de>, E> {
                Ok(MemberName(Cow::Borrowed(name)))
            }

            fn visit_str<E: de::Error>(self, name: &str) -> Result<MemberName<'de>, E> {
                Ok(MemberName(Cow::Owned(name.to_owned())))
            }
        }

        deserializer.deserialize_str(NameVisitor)
    }
}

// ---------------------------------------------------------------------------
// Time

/// Parses an RFC 3339 time: `YYYY-MM-DDTHH:MM:SS`, an optional fraction of
/// 1 to 3 digits, then `Z` or `±HH:MM`. `T`/`Z` may be lower case.
pub fn parse_rfc3339(text: &str) -> Option<Timestamp> {
    let b = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = b.get(range)?;
        part.iter()
            .all(u8::is_ascii_digit)
            .then(|| part.iter().fold(0i64, |n, d| n * 10 + i64::from(d - b'0')))
    };
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let date = Date::new(
        i32::try_from(digits(0..4)?).ok()?,
        u8::try_from(digits(5..7)?).ok()?,
        u8::try_from(digits(8..10)?).ok()?,
    )?;
    let (hour, minute, second) = (digits(11..13)?, digits(14..16)?, digits(17..19)?);
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let mut rest = &text[19..];
    let mut millis = 0;
    if let Some(fraction) = rest.strip_prefix('.') {
        let len = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if !(1..=3).contains(&len) {
            return None;
        }
        millis = fraction[..len].parse::<i64>().ok()? * 10i64.pow(3 - len as u32);
        rest = &fraction[len..];
    }
    let offset_minutes = match rest.as_bytes() {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let two = |a: &u8, b: &u8| -> Option<i64> {
                (a.is_ascii_digit() && b.is_ascii_digit())
                    .then(|| i64::from(a - b'0') * 10 + i64::from(b - b'0'))
            };
            let (h, m) = (two(h1, h2)?, two(m1, m2)?);
            if h > 23 || m > 59 {
                return None;
            }
            let minutes = h * 60 + m;
            if *sign == b'-' {
                -minutes
            } else {
                minutes
            }
        }
        _ => return None,
    };
    let days = date.unix_days();
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
    Some(Timestamp::from_millis(seconds * 1000 + millis))
}

/// Serde for a [`Timestamp`] as RFC 3339 text.
pub(crate) mod rfc3339 {
    use super::*;

    pub fn serialize<S: Serializer>(at: &Timestamp, serializer: S) -> Result<S::Ok, S::Error> {
        match at.rfc3339_bytes() {
            Some(bytes) => serializer
                .serialize_str(std::str::from_utf8(&bytes).map_err(serde::ser::Error::custom)?),
            None => serializer.collect_str(at),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Timestamp, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse_rfc3339(&text).ok_or_else(|| serde::de::Error::custom("expected an RFC 3339 time"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_escapes_table() {
        let cases: [(&str, bool); 9] = [
            (r#"{"name":"Siti"}"#, false),
            (r#"{"name":"Siti\u0000"}"#, true),
            (r#"{"name":"\u0000Siti"}"#, true),
            // An escaped backslash, then the text u0000.
            (r#"{"name":"Siti\\u0000"}"#, false),
            // An escaped backslash, then U+0000.
            (r#"{"name":"Siti\\\u0000"}"#, true),
            (r#"{"name":"a\"b\u00001"}"#, true),
            (r#"{"name":"\u00000"}"#, true),
            (r#"{"name":"\u0001"}"#, false),
            (r#"{"name":"\\"}"#, false),
        ];
        for (json, nul) in cases {
            assert_eq!(escapes_nul(json.as_bytes()), nul, "{json}");
        }
    }

    #[test]
    fn rfc3339_table() {
        let cases = [
            ("1970-01-01T00:00:00.000Z", Some(0)),
            ("1970-01-01T00:00:00Z", Some(0)),
            ("2026-11-21T17:25:57.123Z", Some(1_795_281_957_123)),
            ("2026-11-21t17:25:57.1z", Some(1_795_281_957_100)),
            ("2026-11-22T00:25:57.123+07:00", Some(1_795_281_957_123)),
            ("2026-11-21T16:55:57.123-00:30", Some(1_795_281_957_123)),
            ("2000-02-29T00:00:00.000Z", Some(951_782_400_000)),
            ("1969-12-31T23:59:59.999Z", Some(-1)),
            ("2001-02-29T00:00:00Z", None),
            ("2026-11-21T24:00:00Z", None),
            ("2026-11-21T17:25:57.1234Z", None),
            ("2026-11-21T17:25:57.Z", None),
            ("2026-11-21T17:25:57", None),
            ("2026-11-21 17:25:57Z", None),
            ("2026-11-21T17:25:57+0700", None),
            ("2026-11-21T17:25:57Zjunk", None),
            ("", None),
            ("2026-11-21T17:2é:57Z", None),
        ];
        for (text, millis) in cases {
            assert_eq!(
                parse_rfc3339(text).map(Timestamp::millis),
                millis,
                "{text:?}"
            );
        }
    }

    #[test]
    fn duplicate_member_table() {
        let cases = [
            (r#"{"a":1,"a":1}"#, Some("a")),
            (r#"{"a":1,"b":{"c":[1,{"d":null,"d":2}]}}"#, Some("d")),
            (r#"[{"a":1},{"a":1}]"#, None),
            (r#"{"a":{"a":{"a":1}}}"#, None),
            (r#"{"a":1,"\u0061":2}"#, Some("a")),
            (r#"{"\n":1," ":2,"\n":3}"#, Some("\n")),
            (r#"{"é":1,"e\u0301":2}"#, None),
            (r#"{"A":1,"a":2}"#, None),
            (r#"{"a":1,"b":true,"c":"x","d":-1.5e3,"e":[],"f":{}}"#, None),
            (r#""text""#, None),
            (r#"{"a":1,"a""#, Some("a")),
            (r#"{"a":1,"b""#, None),
            ("not json", None),
            ("", None),
        ];
        for (text, expected) in cases {
            assert_eq!(
                duplicate_member(text.as_bytes()).as_deref(),
                expected,
                "{text}"
            );
        }
    }

    #[test]
    fn display_and_parse_agree() {
        for millis in [
            0,
            1,
            -1,
            1_795_281_957_123,
            -62_135_596_800_000,
            253_402_300_799_999,
        ] {
            let at = Timestamp::from_millis(millis);
            assert_eq!(parse_rfc3339(&at.to_string()), Some(at), "{at}");
        }
    }

    #[test]
    fn a_jwk_is_a_point_on_p256() {
        // RFC 7515 Appendix A.3 (ES256 example key).
        let x = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
        let y = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
        assert!(Jwk::from_coordinates(x, y).is_some());
        let cases = [
            (x, x),                                              // not on the curve
            (&x[..42], y),                                       // 31 bytes
            ("f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU=", y), // padded
            ("f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVE+", y),  // not url-safe
            ("", ""),
        ];
        for (x, y) in cases {
            assert!(Jwk::from_coordinates(x, y).is_none(), "{x} {y}");
        }
    }

    #[test]
    fn rfc7515_a3_es256_example_verifies() {
        // The signing input and signature of RFC 7515 Appendix A.3.
        let jwk = Jwk::from_coordinates(
            "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
            "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
        )
        .unwrap();
        let input = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
        let signature = b64url_decode("DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q").unwrap();
        assert!(jwk.verifies(input.as_bytes(), &signature));
        assert!(!jwk.verifies(b"other", &signature));
        assert!(!jwk.verifies(input.as_bytes(), &signature[..63]));
    }

    #[test]
    fn software_signer_rejects_invalid_secrets() {
        assert!(SoftwareSigner::from_secret(&[0; 32]).is_none());
        assert!(SoftwareSigner::from_secret(&[0xff; 32]).is_none());
        assert!(SoftwareSigner::from_secret(&[0x11; 32]).is_some());
    }
}
