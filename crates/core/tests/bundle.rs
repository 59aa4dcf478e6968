//! Export bundles: golden files, round trip, chain and tamper tables.
//!
//! Regenerate the golden files after a deliberate format change with
//! `LINDUNG_UPDATE_GOLDEN=1 cargo test -p lindung-core --test bundle -- --test-threads=1`.

use base64ct::{Base64UrlUnpadded, Encoding};
use serde_json::{json, Value};

use lindung_core::bundle::{
    build_payload, prepare, sha256_b64url, sign_bundle, verify_bundle, BuildError, BundleError,
    BundlePayload, BundleVillage, Jwk, Limits, PackDigest, PayloadInput, SignBundleError, Signer,
    SoftwareSigner,
};
use lindung_core::{
    check, Agent, Date, RecordId, RegistrationInput, RulePack, Status, Timestamp, WorkerRecord,
};

const GOLDEN_PAYLOAD: &str = "tests/golden/bundle-v1.payload.json";
const GOLDEN_JWS: &str = "tests/golden/bundle-v1.jws.json";

/// The fixed test device key. Never use it for real bundles.
fn test_signer() -> SoftwareSigner {
    SoftwareSigner::from_secret(&[0x11; 32]).unwrap()
}

fn other_signer() -> SoftwareSigner {
    SoftwareSigner::from_secret(&[0x22; 32]).unwrap()
}

fn agent() -> Agent {
    Agent {
        id: "agent-1".into(),
        name: "Petugas Uji".into(),
    }
}

fn at(text: &str) -> Timestamp {
    lindung_core::bundle::parse_rfc3339(text).unwrap()
}

fn record(id: &str, seq: u64, nik: &str, name: &str, birth: &str, sex: &str) -> WorkerRecord {
    let (segment, category) = if id == "r3" {
        ("PU", "perangkat_desa")
    } else {
        ("BPU", "petani")
    };
    let input = RegistrationInput {
        nik: nik.into(),
        name: name.into(),
        birth_date: birth.into(),
        sex: sex.into(),
        segment: segment.into(),
        category: category.into(),
        ..RegistrationInput::default()
    };
    let today = Date::parse_iso("2026-11-21").unwrap();
    let registration = check(&input, &RulePack::default_pack(), today)
        .registration
        .expect("valid fixture");
    WorkerRecord::create(
        RecordId::new(id).unwrap(),
        "61.07.01.2001",
        seq,
        registration,
        agent(),
        Timestamp::from_millis(at("2026-11-20T01:00:00.000Z").millis() + seq as i64 * 60_000),
    )
}

fn records() -> Vec<(WorkerRecord, Option<Status>)> {
    let siti = record(
        "r1",
        1,
        "6107014502870001",
        "Siti Aminah",
        "1987-02-05",
        "F",
    );
    let budi = record(
        "r2",
        2,
        "6107011203900002",
        "Budi Santoso",
        "1990-03-12",
        "M",
    );
    let made = record(
        "r3",
        3,
        "6107011505800003",
        "I Made Wirawan",
        "1980-05-15",
        "M",
    );
    let mut rina = record("r4", 4, "6107016007850004", "Rina Wati", "1985-07-20", "F");
    rina.remove(agent(), at("2026-11-21T02:30:00.000Z"), "pindah ke kota")
        .unwrap();
    vec![
        (siti, Some(Status::Funded)),
        (budi, Some(Status::Waitlisted { position: 1 })),
        (made, Some(Status::Apparatus)),
        (rina, None),
    ]
}

fn villages() -> Vec<BundleVillage> {
    vec![BundleVillage {
        code: "61.07.01.2001".into(),
        name: "Sungai Ambawang Kuala".into(),
        funded_slots: 1,
    }]
}

/// The shipped pack, named by the digest of its file as shipped.
fn pack_digest() -> PackDigest {
    PackDigest::new(
        &RulePack::default_pack(),
        RulePack::default_json().as_bytes(),
    )
}

/// Bundle `sequence` of the test device.
fn payload(sequence: u64, previous: Option<&str>) -> Result<BundlePayload, BuildError> {
    let kid = test_signer().public_jwk().thumbprint();
    build_payload(PayloadInput {
        bundle_id: &format!("bundle-{sequence}"),
        device_kid: &kid,
        agent: &agent(),
        sequence,
        previous,
        created_at: at("2026-11-21T03:00:00.000Z"),
        rule_pack: &pack_digest(),
        villages: &villages(),
        records: &records(),
    })
}

fn check_golden(path: &str, actual: &str) {
    let full = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("LINDUNG_UPDATE_GOLDEN").is_some() {
        std::fs::write(&full, actual).unwrap();
    }
    let expected = std::fs::read_to_string(&full).unwrap_or_default();
    assert_eq!(
        actual, expected,
        "{path} differs; if the change is deliberate, bump format_version or regenerate"
    );
}

#[test]
fn golden_payload_and_jws() {
    let payload = payload(1, None).unwrap();
    check_golden(GOLDEN_PAYLOAD, &serde_json::to_string(&payload).unwrap());
    let signed = sign_bundle(&payload, &test_signer()).unwrap();
    check_golden(GOLDEN_JWS, &signed.jws);
}

/// The golden file verifies as it is on disk: a bundle written by this
/// version stays readable.
#[test]
fn golden_jws_verifies() {
    let path = format!("{}/{GOLDEN_JWS}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(path).unwrap();
    let verified = verify_bundle(&bytes, Limits::DEFAULT).unwrap();
    assert_eq!(verified.kid, test_signer().public_jwk().thumbprint());
    assert_eq!(verified.payload, payload(1, None).unwrap());
    let payload_golden =
        std::fs::read(format!("{}/{GOLDEN_PAYLOAD}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let outer: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(b64_member(&outer, "payload"), payload_golden);
}

/// The golden payload names the shipped rule pack by the digest of the
/// pack's file, byte for byte, as the district compares it with the packs it
/// knows.
#[test]
fn golden_payload_names_the_shipped_pack() {
    let text = std::fs::read_to_string(format!("{}/{GOLDEN_PAYLOAD}", env!("CARGO_MANIFEST_DIR")))
        .unwrap();
    let golden: Value = serde_json::from_str(&text).unwrap();
    let pack = RulePack::default_pack();
    assert_eq!(
        golden["rule_pack"],
        json!({
            "id": pack.id(),
            "version": pack.version(),
            "digest": sha256_b64url(RulePack::default_json().as_bytes()),
        })
    );
}

#[test]
fn thumbprint_vectors() {
    let cases = [
        // RFC 7515 Appendix A.3 key; thumbprint computed independently
        // (Python hashlib over the RFC 7638 members) and pinned.
        (
            "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
            "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
            "oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U",
        ),
        // The fixed test key (secret 0x11 × 32); public key and thumbprint
        // computed independently with Python `cryptography` and pinned.
        (
            "AhfmF_C2RDkoJ4-WmZ5pojpPLBUr321s32bluAKC1O0",
            "GUp968uXcS0t2jyoWqh2Wlb0X8dYWZZS8ol8ZTBuV5Q",
            "OEurnbzOGbRad4qOD9lNK8VYMQGvg5cmLnVKeydAqL4",
        ),
    ];
    for (x, y, kid) in cases {
        assert_eq!(Jwk::from_coordinates(x, y).unwrap().thumbprint(), kid);
    }
    let jwk = test_signer().public_jwk();
    assert_eq!(
        (jwk.x(), jwk.y()),
        (cases[1].0, cases[1].1),
        "the software signer derives the same public key"
    );
}

#[test]
fn round_trip_and_chain() {
    let first = sign_bundle(&payload(1, None).unwrap(), &test_signer()).unwrap();
    let verified = verify_bundle(first.jws.as_bytes(), Limits::DEFAULT).unwrap();
    assert_eq!(verified.payload, payload(1, None).unwrap());
    assert_eq!(verified.signing_input_hash, first.signing_input_hash);
    assert_eq!(verified.jwk, test_signer().public_jwk());

    let second_payload = payload(2, Some(&first.signing_input_hash)).unwrap();
    let second = sign_bundle(&second_payload, &test_signer()).unwrap();
    let verified = verify_bundle(second.jws.as_bytes(), Limits::DEFAULT).unwrap();
    assert_eq!(
        verified.payload.previous.as_deref(),
        Some(first.signing_input_hash.as_str())
    );
    // The chain hash is SHA-256 of the signing input, as another tool would
    // compute it from the file.
    let outer: Value = serde_json::from_str(&first.jws).unwrap();
    let input = format!(
        "{}.{}",
        outer["protected"].as_str().unwrap(),
        outer["payload"].as_str().unwrap()
    );
    assert_eq!(first.signing_input_hash, sha256_b64url(input.as_bytes()));
}

#[test]
fn build_refuses() {
    let code = |r: Result<BundlePayload, BuildError>| r.map(|_| ()).map_err(|e| e.code());
    assert_eq!(code(payload(0, None)), Err("bundle.sequence_zero"));
    assert_eq!(
        code(payload(1, Some(&sha256_b64url(b"x")))),
        Err("bundle.previous_unexpected")
    );
    assert_eq!(code(payload(2, None)), Err("bundle.previous_missing"));
    assert_eq!(
        code(payload(2, Some("not-a-hash"))),
        Err("bundle.previous_malformed")
    );

    let mut wrong_status = records();
    wrong_status[3].1 = Some(Status::Funded);
    let mut no_village = villages();
    no_village[0].code = "61.07.01.2002".into();
    let kid = test_signer().public_jwk().thumbprint();
    let build = |records: &[(WorkerRecord, Option<Status>)], villages: &[BundleVillage]| {
        build_payload(PayloadInput {
            bundle_id: "b",
            device_kid: &kid,
            agent: &agent(),
            sequence: 1,
            previous: None,
            created_at: at("2026-11-21T03:00:00Z"),
            rule_pack: &pack_digest(),
            villages,
            records,
        })
        .map(|_| ())
        .map_err(|e| e.code())
    };
    assert_eq!(
        build(&wrong_status, &villages()),
        Err("bundle.build_status")
    );
    assert_eq!(build(&records(), &no_village), Err("bundle.build_village"));

    // Signing with a key that is not the payload's device key.
    let signed = sign_bundle(&payload(1, None).unwrap(), &other_signer());
    assert!(matches!(signed, Err(SignBundleError::Bundle(e)) if e.code() == "bundle.device_kid"));
    // A signer returning a bad signature never yields a file.
    let prepared = prepare(&payload(1, None).unwrap(), &test_signer().public_jwk()).unwrap();
    assert_eq!(
        prepared.finish(&[7; 64]).map(|_| ()).map_err(|e| e.code()),
        Err("bundle.signature")
    );
}

// ---------------------------------------------------------------------------
// Tamper table

fn b64(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

fn b64_member(outer: &Value, name: &str) -> Vec<u8> {
    Base64UrlUnpadded::decode_vec(outer[name].as_str().unwrap()).unwrap()
}

fn header(outer: &Value) -> Value {
    serde_json::from_slice(&b64_member(outer, "protected")).unwrap()
}

fn set_header(outer: &mut Value, header: &Value) {
    outer["protected"] = json!(b64(serde_json::to_string(header).unwrap().as_bytes()));
}

/// Replaces the character at `index` of a member's text with `with`.
fn flip(outer: &mut Value, member: &str, index: usize, with: char) {
    let mut text: Vec<char> = outer[member].as_str().unwrap().chars().collect();
    assert_ne!(text[index], with, "the flip must change the text");
    text[index] = with;
    outer[member] = json!(text.into_iter().collect::<String>());
}

/// Re-signs `outer`'s protected header with `payload_json` using `signer`,
/// as an attacker holding a key (or a buggy device) would.
fn resign(outer: &mut Value, payload_json: &str, signer: &impl Signer) {
    outer["payload"] = json!(b64(payload_json.as_bytes()));
    let input = format!(
        "{}.{}",
        outer["protected"].as_str().unwrap(),
        outer["payload"].as_str().unwrap()
    );
    outer["signature"] = json!(b64(&signer.sign(input.as_bytes()).unwrap()));
}

fn payload_value() -> Value {
    serde_json::to_value(payload(1, None).unwrap()).unwrap()
}

type Tamper = Box<dyn Fn(&mut Value)>;

fn valid_jws() -> String {
    sign_bundle(&payload(1, None).unwrap(), &test_signer())
        .unwrap()
        .jws
}

fn check_tamper(tamper: impl Fn(&mut Value), expected: Result<(), &str>) {
    let mut outer: Value = serde_json::from_str(&valid_jws()).unwrap();
    tamper(&mut outer);
    let bytes = serde_json::to_vec(&outer).unwrap();
    let got = verify_bundle(&bytes, Limits::DEFAULT)
        .map(|_| ())
        .map_err(|e| e.code());
    assert_eq!(got, expected, "{}", String::from_utf8_lossy(&bytes));
}

#[test]
fn tamper_table() {
    let other_jwk = serde_json::to_value(other_signer().public_jwk()).unwrap();
    let other_kid = other_signer().public_jwk().thumbprint();
    let with_payload = |edit: fn(&mut Value)| -> Tamper {
        Box::new(move |outer| {
            let mut p = payload_value();
            edit(&mut p);
            resign(outer, &p.to_string(), &test_signer());
        })
    };
    let cases: Vec<(&str, Tamper, Result<(), &str>)> = vec![
        ("untouched", Box::new(|_| {}), Ok(())),
        (
            "payload byte flipped",
            Box::new(|o| flip(o, "payload", 40, 'A')),
            Err("bundle.signature"),
        ),
        (
            "signature byte flipped",
            Box::new(|o| flip(o, "signature", 10, 'A')),
            Err("bundle.signature"),
        ),
        (
            "protected byte flipped",
            Box::new(|o| flip(o, "protected", 0, 'f')),
            Err("bundle.header_json"),
        ),
        (
            "protected re-encoded with a space",
            Box::new(|o| {
                let text = serde_json::to_string(&header(o)).unwrap();
                o["protected"] = json!(b64(format!(" {text}").as_bytes()));
            }),
            Err("bundle.signature"),
        ),
        (
            "payload re-encoded (same JSON)",
            Box::new(|o| {
                let text = String::from_utf8(b64_member(o, "payload")).unwrap();
                o["payload"] = json!(b64(format!("{text}\n").as_bytes()));
            }),
            Err("bundle.signature"),
        ),
        (
            "protected not base64url",
            Box::new(|o| flip(o, "protected", 3, '!')),
            Err("bundle.base64"),
        ),
        (
            "payload padded",
            Box::new(|o| {
                let text = format!("{}=", o["payload"].as_str().unwrap());
                o["payload"] = json!(text);
            }),
            Err("bundle.base64"),
        ),
        (
            "signature standard base64",
            Box::new(|o| {
                let sig = b64_member(o, "signature");
                let std = base64ct::Base64::encode_string(&sig);
                o["signature"] = json!(std);
            }),
            Err("bundle.base64"),
        ),
        (
            "signature truncated to 63 bytes",
            Box::new(|o| {
                let sig = b64_member(o, "signature");
                o["signature"] = json!(b64(&sig[..63]));
            }),
            Err("bundle.signature"),
        ),
        (
            "signature DER-sized",
            Box::new(|o| o["signature"] = json!(b64(&[0x30; 70]))),
            Err("bundle.signature"),
        ),
        (
            "jwk swapped for another key",
            Box::new(move |o| {
                let mut h = header(o);
                h["jwk"] = other_jwk.clone();
                set_header(o, &h);
            }),
            Err("bundle.kid"),
        ),
        (
            "jwk and kid swapped for another key",
            Box::new(move |o| {
                let mut h = header(o);
                h["jwk"] = serde_json::to_value(other_signer().public_jwk()).unwrap();
                h["kid"] = json!(other_kid);
                set_header(o, &h);
            }),
            Err("bundle.signature"),
        ),
        (
            "kid mismatch",
            Box::new(|o| {
                let mut h = header(o);
                h["kid"] = json!(sha256_b64url(b"someone else"));
                set_header(o, &h);
            }),
            Err("bundle.kid"),
        ),
        (
            "kid missing",
            Box::new(|o| {
                let mut h = header(o);
                h.as_object_mut().unwrap().remove("kid");
                set_header(o, &h);
            }),
            Err("bundle.header_member_missing"),
        ),
        (
            "alg none",
            Box::new(|o| {
                let mut h = header(o);
                h["alg"] = json!("none");
                set_header(o, &h);
                o["signature"] = json!("");
            }),
            Err("bundle.alg"),
        ),
        (
            "alg HS256",
            Box::new(|o| {
                let mut h = header(o);
                h["alg"] = json!("HS256");
                set_header(o, &h);
            }),
            Err("bundle.alg"),
        ),
        (
            "alg not a string",
            Box::new(|o| {
                let mut h = header(o);
                h["alg"] = json!(["ES256"]);
                set_header(o, &h);
            }),
            Err("bundle.alg"),
        ),
        (
            "typ JWT",
            Box::new(|o| {
                let mut h = header(o);
                h["typ"] = json!("JWT");
                set_header(o, &h);
            }),
            Err("bundle.typ"),
        ),
        (
            "typ missing",
            Box::new(|o| {
                let mut h = header(o);
                h.as_object_mut().unwrap().remove("typ");
                set_header(o, &h);
            }),
            Err("bundle.header_member_missing"),
        ),
        (
            "crit header",
            Box::new(|o| {
                let mut h = header(o);
                h["crit"] = json!(["b64"]);
                set_header(o, &h);
            }),
            Err("bundle.header_member_extra"),
        ),
        (
            "jwk on P-384",
            Box::new(|o| {
                let mut h = header(o);
                h["jwk"]["crv"] = json!("P-384");
                set_header(o, &h);
            }),
            Err("bundle.jwk"),
        ),
        (
            "jwk with a private part",
            Box::new(|o| {
                let mut h = header(o);
                h["jwk"]["d"] = json!(b64(&[0x11; 32]));
                set_header(o, &h);
            }),
            Err("bundle.jwk"),
        ),
        (
            "jwk point not on the curve",
            Box::new(|o| {
                let mut h = header(o);
                h["jwk"]["y"] = h["jwk"]["x"].clone();
                set_header(o, &h);
            }),
            Err("bundle.jwk"),
        ),
        (
            "header not an object",
            Box::new(|o| o["protected"] = json!(b64(b"[\"ES256\"]"))),
            Err("bundle.header_json"),
        ),
        (
            "unprotected header member",
            Box::new(|o| o["header"] = json!({"kid": "x"})),
            Err("bundle.member_extra"),
        ),
        (
            "signature missing",
            Box::new(|o| {
                o.as_object_mut().unwrap().remove("signature");
            }),
            Err("bundle.member_missing"),
        ),
        (
            "payload not a string",
            Box::new(|o| o["payload"] = payload_value()),
            Err("bundle.member_type"),
        ),
        (
            "payload not JSON (signed)",
            Box::new(|o| resign(o, "not json", &test_signer())),
            Err("bundle.payload_json"),
        ),
        (
            "payload unknown member (signed)",
            with_payload(|p| p["extra"] = json!(1)),
            Err("bundle.payload_json"),
        ),
        (
            "payload bad created_at (signed)",
            with_payload(|p| p["created_at"] = json!("21/11/2026")),
            Err("bundle.payload_json"),
        ),
        (
            "format wrong (signed)",
            with_payload(|p| p["format"] = json!("lindung.rule-pack")),
            Err("bundle.format"),
        ),
        (
            "format_version 2 (signed)",
            with_payload(|p| p["format_version"] = json!(2)),
            Err("bundle.format_version"),
        ),
        (
            "sequence 1 with previous (signed)",
            with_payload(|p| p["previous"] = json!(sha256_b64url(b"x"))),
            Err("bundle.previous_unexpected"),
        ),
        (
            "sequence 2 without previous (signed)",
            with_payload(|p| p["sequence"] = json!(2)),
            Err("bundle.previous_missing"),
        ),
        (
            "sequence 0 (signed)",
            with_payload(|p| p["sequence"] = json!(0)),
            Err("bundle.sequence_zero"),
        ),
        (
            "device_kid of another key (signed)",
            with_payload(|p| p["device_kid"] = json!(sha256_b64url(b"other"))),
            Err("bundle.device_kid"),
        ),
        (
            "U+0000 in a worker's name (signed)",
            with_payload(|p| p["records"][0]["name"] = json!("Siti\u{0}Aminah")),
            Err("bundle.nul"),
        ),
        (
            "U+0000 in the agent's name (signed)",
            with_payload(|p| p["agent"]["name"] = json!("\u{0}")),
            Err("bundle.nul"),
        ),
        (
            "a backslash and the text u0000 in a name (signed)",
            with_payload(|p| p["records"][0]["name"] = json!("Siti\\u0000")),
            Ok(()),
        ),
        (
            "record_id of 128 bytes (signed)",
            with_payload(|p| p["records"][0]["record_id"] = json!("r".repeat(128))),
            Ok(()),
        ),
        (
            "record_id of 129 bytes (signed)",
            with_payload(|p| p["records"][0]["record_id"] = json!("r".repeat(129))),
            Err("bundle.key_too_long"),
        ),
        (
            "a record's village of 65 bytes (signed)",
            with_payload(|p| p["records"][0]["village"] = json!("6".repeat(65))),
            Err("bundle.key_too_long"),
        ),
        (
            "a listed village code of 65 bytes (signed)",
            with_payload(|p| p["villages"][0]["code"] = json!("6".repeat(65))),
            Err("bundle.key_too_long"),
        ),
        (
            "agent unknown member (signed)",
            with_payload(|p| p["agent"]["role"] = json!("admin")),
            Err("bundle.payload_json"),
        ),
        (
            "history agent unknown member (signed)",
            with_payload(|p| p["records"][0]["history"][0]["agent"]["role"] = json!("admin")),
            Err("bundle.payload_json"),
        ),
    ];
    for (name, tamper, expected) in cases {
        eprintln!("case: {name}");
        check_tamper(tamper, expected);
    }
}

// ---------------------------------------------------------------------------
// A member name twice

/// The valid file's protected header and payload, as JSON texts.
fn texts() -> (String, String) {
    let outer: Value = serde_json::from_str(&valid_jws()).unwrap();
    let header = String::from_utf8(b64_member(&outer, "protected")).unwrap();
    let payload = String::from_utf8(b64_member(&outer, "payload")).unwrap();
    (header, payload)
}

/// The valid file with this header and payload JSON text, signed by the
/// test key: only what the texts say can be wrong.
fn signed_texts(header: &str, payload: &str) -> String {
    let mut outer: Value = serde_json::from_str(&valid_jws()).unwrap();
    outer["protected"] = json!(b64(header.as_bytes()));
    resign(&mut outer, payload, &test_signer());
    outer.to_string()
}

/// `text` with the first `from` replaced by `to`.
fn edit(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "the fixture has {from}");
    text.replacen(from, to, 1)
}

/// Name, file, and `Err((at, name))` for a member `name` twice in `at`.
type DuplicateCase = (
    &'static str,
    String,
    Result<(), (&'static str, &'static str)>,
);

/// A JSON text with the same member name twice in one object means
/// different things to a reader that keeps the first and one that keeps the
/// last, so a bundle with one is refused wherever it is, even when both
/// values are the same.
#[test]
fn a_member_twice_is_refused() {
    let jws = valid_jws();
    let (header, payload) = texts();
    let in_header = |from: &str, to: &str| signed_texts(&edit(&header, from, to), &payload);
    let in_payload = |from: &str, to: &str| signed_texts(&header, &edit(&payload, from, to));
    let alg_none = b64(br#"{"alg":"none"}"#);
    let other_x = other_signer().public_jwk().x().to_owned();
    let cases: Vec<DuplicateCase> = vec![
        (
            "untouched: the same name in different objects",
            signed_texts(&header, &payload),
            Ok(()),
        ),
        (
            "protected twice, the signed one last",
            edit(
                &jws,
                r#"{"protected":"#,
                &format!(r#"{{"protected":"{alg_none}","protected":"#),
            ),
            Err(("bundle", "protected")),
        ),
        (
            "protected twice, the signed one first",
            edit(
                &jws,
                r#","payload":"#,
                &format!(r#","protected":"{alg_none}","payload":"#),
            ),
            Err(("bundle", "protected")),
        ),
        (
            "signature twice, both the same",
            {
                let outer: Value = serde_json::from_str(&jws).unwrap();
                let signature = outer["signature"].as_str().unwrap();
                edit(&jws, r#"}"#, &format!(r#","signature":"{signature}"}}"#))
            },
            Err(("bundle", "signature")),
        ),
        (
            "alg twice",
            in_header(r#""alg":"ES256""#, r#""alg":"none","alg":"ES256""#),
            Err(("header", "alg")),
        ),
        (
            "alg twice, once escaped",
            in_header(r#""alg":"ES256""#, r#""alg":"ES256","alg":"none""#),
            Err(("header", "alg")),
        ),
        (
            "x twice in jwk",
            in_header(r#""x":""#, &format!(r#""x":"{other_x}","x":""#)),
            Err(("header", "x")),
        ),
        (
            "format twice",
            in_payload(
                r#""format":"lindung.bundle""#,
                r#""format":"lindung.rule-pack","format":"lindung.bundle""#,
            ),
            Err(("payload", "format")),
        ),
        (
            "format twice, once escaped",
            in_payload(
                r#""format":"lindung.bundle""#,
                r#""format":"lindung.bundle","format":"lindung.bundle""#,
            ),
            Err(("payload", "format")),
        ),
        (
            "sequence twice",
            in_payload(r#""sequence":1"#, r#""sequence":2,"sequence":1"#),
            Err(("payload", "sequence")),
        ),
        (
            "digest twice in rule_pack",
            in_payload(r#""digest":"#, r#""digest":"x","digest":"#),
            Err(("payload", "digest")),
        ),
        (
            "funded_slots twice in a village",
            in_payload(
                r#""funded_slots":1"#,
                r#""funded_slots":900,"funded_slots":1"#,
            ),
            Err(("payload", "funded_slots")),
        ),
        (
            "name twice in a record",
            in_payload(
                r#""name":"Siti Aminah""#,
                r#""name":"Siti Aminah","name":"Sita Aminah""#,
            ),
            Err(("payload", "name")),
        ),
        (
            "eligible twice in a verdict",
            in_payload(r#""eligible":true"#, r#""eligible":false,"eligible":true"#),
            Err(("payload", "eligible")),
        ),
        (
            "reason twice in a history entry",
            in_payload(
                r#""reason":"pindah ke kota""#,
                r#""reason":"pindah ke kota","reason":"meninggal""#,
            ),
            Err(("payload", "reason")),
        ),
        (
            "id twice in agent",
            in_payload(
                r#""agent":{"id":"agent-1""#,
                r#""agent":{"id":"agent-1","id":"agent-2""#,
            ),
            Err(("payload", "id")),
        ),
        (
            "an unknown member twice in agent",
            in_payload(r#""agent":{"#, r#""agent":{"role":1,"role":2,"#),
            Err(("payload", "role")),
        ),
    ];
    for (name, file, expected) in cases {
        let got = verify_bundle(file.as_bytes(), Limits::DEFAULT).map(|_| ());
        let expected = expected.map_err(|(at, name)| BundleError::DuplicateMember {
            at,
            name: name.to_owned(),
        });
        assert_eq!(got, expected, "{name}");
        if let Err(error) = got {
            assert_eq!(error.code(), "bundle.duplicate_member", "{name}");
        }
    }
    // The untouched payload does have the same names in different objects:
    // `name` in agents, villages and records, `revision` in records and
    // history entries, `agent` at the top and in history entries.
    for name in [r#""name":"#, r#""revision":"#, r#""agent":"#] {
        assert!(payload.matches(name).count() > 1, "{name}");
    }
}

/// Verification parses a payload straight into its structs first and looks
/// for a member twice only if that fails: the structs must refuse one.
#[test]
fn payload_structs_refuse_a_member_twice() {
    let (_, payload) = texts();
    let cases = [
        (r#""sequence":1"#, r#""sequence":1,"sequence":1"#),
        (r#""nik":"#, r#""nik":"1","nik":"#),
        (
            r#""action":"create""#,
            r#""action":"create","action":"create""#,
        ),
        (
            r#""agent":{"id":"agent-1""#,
            r#""agent":{"id":"agent-1","id":"agent-1""#,
        ),
    ];
    for (from, to) in cases {
        let error = serde_json::from_str::<BundlePayload>(&edit(&payload, from, to)).unwrap_err();
        assert!(
            error.to_string().starts_with("duplicate field"),
            "{to}: {error}"
        );
    }
}

#[test]
fn duplicate_member_messages() {
    let cases = [
        (
            "bundle",
            "protected",
            "bundle has the member `protected` twice",
        ),
        (
            "header",
            "alg",
            "protected header has the member `alg` twice",
        ),
        ("payload", "name", "payload has the member `name` twice"),
    ];
    for (at, name, message) in cases {
        let error = BundleError::DuplicateMember {
            at,
            name: name.to_owned(),
        };
        assert_eq!(error.to_string(), message);
    }
}

/// Name, file bytes, limits, expected result.
type RawCase = (&'static str, Vec<u8>, Limits, Result<(), &'static str>);

#[test]
fn raw_input_table() {
    let jws = valid_jws();
    let cases: Vec<RawCase> = vec![
        ("valid", jws.clone().into_bytes(), Limits::DEFAULT, Ok(())),
        (
            "exactly at the limit",
            jws.clone().into_bytes(),
            Limits {
                max_bytes: jws.len(),
            },
            Ok(()),
        ),
        (
            "oversize",
            jws.clone().into_bytes(),
            Limits {
                max_bytes: jws.len() - 1,
            },
            Err("bundle.too_large"),
        ),
        (
            "truncated",
            jws.as_bytes()[..jws.len() / 2].to_vec(),
            Limits::DEFAULT,
            Err("bundle.json"),
        ),
        (
            "truncated by one byte",
            jws.as_bytes()[..jws.len() - 1].to_vec(),
            Limits::DEFAULT,
            Err("bundle.json"),
        ),
        ("empty", Vec::new(), Limits::DEFAULT, Err("bundle.json")),
        ("array", b"[]".to_vec(), Limits::DEFAULT, Err("bundle.json")),
        (
            "compact serialization",
            {
                let o: Value = serde_json::from_str(&jws).unwrap();
                format!(
                    "{}.{}.{}",
                    o["protected"].as_str().unwrap(),
                    o["payload"].as_str().unwrap(),
                    o["signature"].as_str().unwrap()
                )
                .into_bytes()
            },
            Limits::DEFAULT,
            Err("bundle.json"),
        ),
        (
            "not UTF-8",
            vec![0xff, 0xfe, b'{', b'}'],
            Limits::DEFAULT,
            Err("bundle.json"),
        ),
        (
            "whitespace around members is fine",
            jws.replace(',', " ,\n ").into_bytes(),
            Limits::DEFAULT,
            Ok(()),
        ),
    ];
    for (name, bytes, limits, expected) in cases {
        let got = verify_bundle(&bytes, limits)
            .map(|_| ())
            .map_err(|e| e.code());
        assert_eq!(got, expected, "{name}");
    }
}

/// Every prefix and every single-byte change of a bundle is refused with an
/// error, never a panic.
#[test]
fn no_panic_on_mangled_input() {
    let jws = valid_jws().into_bytes();
    for len in (0..jws.len()).step_by(7) {
        assert!(verify_bundle(&jws[..len], Limits::DEFAULT).is_err());
    }
    for i in (0..jws.len()).step_by(5) {
        let mut bytes = jws.clone();
        bytes[i] ^= 0x01;
        // Flipping the low bit of a base64 character can keep it valid and
        // still change the signed text, so every such change is an error.
        assert!(verify_bundle(&bytes, Limits::DEFAULT).is_err(), "byte {i}");
    }
}
