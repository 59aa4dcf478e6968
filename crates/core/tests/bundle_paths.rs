//! `verify_bundle` reads the usual file through fast paths (members borrowed
//! from the bytes, the payload straight into its struct) and anything else
//! through the general ones, which name the problem. These cases take the
//! general paths and must give what they always gave.

use lindung_core::bundle::{b64url, b64url_decode, verify_bundle, Limits, Signer, SoftwareSigner};
use serde_json::Value;

const GOLDEN: &str = include_str!("golden/bundle-v1.jws.json");

/// The golden file's test key (secret bytes 0x11). Never use it for real bundles.
fn signer() -> SoftwareSigner {
    SoftwareSigner::from_secret(&[0x11; 32]).unwrap()
}

fn member(name: &str) -> String {
    let outer: Value = serde_json::from_str(GOLDEN).unwrap();
    outer[name].as_str().unwrap().to_owned()
}

/// The golden payload's JSON text.
fn payload_text() -> String {
    String::from_utf8(b64url_decode(&member("payload")).unwrap()).unwrap()
}

/// A file with the golden header and `payload` JSON, signed by the test key.
fn signed(payload: &str) -> String {
    let protected = member("protected");
    let payload = b64url(payload.as_bytes());
    let signature = signer()
        .sign(format!("{protected}.{payload}").as_bytes())
        .unwrap();
    format!(
        r#"{{"protected":"{protected}","payload":"{payload}","signature":"{}"}}"#,
        b64url(&signature)
    )
}

/// `Ok(hash)`: verified, with its chain hash; `Err(code)`.
fn verdict(file: &str) -> Result<String, &'static str> {
    verify_bundle(file.as_bytes(), Limits::DEFAULT)
        .map(|b| b.signing_input_hash)
        .map_err(|e| e.code())
}

#[test]
fn general_paths_give_what_they_always_gave() {
    let golden = verdict(GOLDEN).expect("the golden file verifies");
    let (protected, payload, signature) =
        (member("protected"), member("payload"), member("signature"));
    let text = payload_text();
    let cases: Vec<(&str, String, Result<String, &str>)> = vec![
        (
            "members in another order",
            format!(
                r#"{{"signature":"{signature}","payload":"{payload}","protected":"{protected}"}}"#
            ),
            Ok(golden.clone()),
        ),
        (
            "a JSON escape inside a member: the text it stands for is signed",
            format!(
                r#"{{"protected":"\u{:04x}{}","payload":"{payload}","signature":"{signature}"}}"#,
                u32::from(protected.as_bytes()[0]),
                &protected[1..]
            )
            .replace("\\u{", "\\u"),
            Ok(golden.clone()),
        ),
        (
            "a member twice: refused, whichever would count",
            format!(
                r#"{{"protected":"{protected}","payload":"{payload}","signature":"AAAA","signature":"{signature}"}}"#
            ),
            Err("bundle.duplicate_member"),
        ),
        (
            "a member that is not a string",
            format!(r#"{{"protected":"{protected}","payload":"{payload}","signature":7}}"#),
            Err("bundle.member_type"),
        ),
        (
            "format_version as a float",
            signed(&text.replace(r#""format_version":1"#, r#""format_version":1.0"#)),
            Err("bundle.format_version"),
        ),
        (
            "format comes before unknown members",
            signed(&text.replace(
                r#""format":"lindung.bundle""#,
                r#""format":"other","extra":1"#,
            )),
            Err("bundle.format"),
        ),
        (
            "an unknown member",
            signed(&text.replacen('{', r#"{"extra":1,"#, 1)),
            Err("bundle.payload_json"),
        ),
        (
            "a payload member twice: refused, whichever would count",
            signed(&text.replacen('{', r#"{"bundle_id":"x","#, 1)),
            Err("bundle.duplicate_member"),
        ),
    ];
    for (name, file, expected) in cases {
        let got = verdict(&file);
        match expected {
            // Re-signed: another chain hash, but verified.
            Ok(hash) if hash.is_empty() => assert!(got.is_ok(), "{name}: {got:?}"),
            expected => assert_eq!(got, expected, "{name}"),
        }
    }
}
