//! The device key in headless Chromium: made once by WebCrypto, kept in
//! IndexedDB as a non-extractable `CryptoKey`, the same after reopening the
//! database (what a reload does), and its signatures verify with the core's
//! own P-256 code and as whole bundles.
//!
//! CHROMEDRIVER=/usr/bin/chromedriver cargo test -p lindung --target wasm32-unknown-unknown --test device_key
#![cfg(target_arch = "wasm32")]

use js_sys::Reflect;
use lindung::device::{load, load_or_create, DeviceKey};
use lindung::store::IdbStore;
use lindung::AppStore;
use lindung_core::bundle::{prepare, verify_bundle, BundlePayload, Limits};
use lindung_core::Timestamp;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const GOLDEN_PAYLOAD: &str = include_str!("../crates/core/tests/golden/bundle-v1.payload.json");

fn unique(what: &str) -> String {
    format!("lindung-test-{what}-{}", js_sys::Date::now() as u64)
}

async fn open(name: &str) -> AppStore {
    AppStore::Idb(IdbStore::open(name).await.expect("open"))
}

fn at(millis: i64) -> Timestamp {
    Timestamp::from_millis(millis)
}

#[wasm_bindgen_test]
async fn the_key_is_made_once_kept_across_reopen_and_signs_verifiably() {
    let name = unique("key");
    let store = open(&name).await;
    assert!(
        load(&store).await.unwrap().is_none(),
        "no key before first use"
    );
    let made = load_or_create(&store, at(1_790_000_000_000)).await.unwrap();
    assert!(!made.private_key_extractable());
    assert_eq!(made.kid(), made.jwk().thumbprint());
    assert_eq!(made.kid().len(), 43);
    let kid = made.kid().to_owned();
    drop(made);
    drop(store);

    // Reopen, as after a reload: the same key, and first use does not make
    // another one.
    let store = open(&name).await;
    let key = load(&store).await.unwrap().expect("the key is kept");
    assert_eq!(key.kid(), kid);
    assert_eq!(key.created_at(), at(1_790_000_000_000));
    let again = load_or_create(&store, at(1_790_000_999_000)).await.unwrap();
    assert_eq!(again.kid(), kid);

    // Its signatures verify with the core's P-256 code (not WebCrypto's).
    let signature = key.sign(b"lindung").await.unwrap();
    assert!(key.jwk().verifies(b"lindung", &signature));
    assert!(!key.jwk().verifies(b"lindunG", &signature));

    // A whole bundle: the core prepares, WebCrypto signs, the verifier a
    // district runs accepts the file.
    let mut payload: BundlePayload = serde_json::from_str(GOLDEN_PAYLOAD).unwrap();
    payload.device_kid = kid.clone();
    let prepared = prepare(&payload, key.jwk()).unwrap();
    let signature = key.sign(prepared.signing_input().as_bytes()).await.unwrap();
    // As the app finishes it: the chain link hashed by WebCrypto is the one
    // the core computes.
    let digest = DeviceKey::sha256(prepared.signing_input().as_bytes())
        .await
        .unwrap();
    let by_webcrypto = prepared
        .clone()
        .finish_verified_with_digest(&signature, &digest);
    let signed = prepared.finish(&signature).unwrap();
    assert_eq!(by_webcrypto, signed);
    let verified = verify_bundle(signed.jws.as_bytes(), Limits::DEFAULT).unwrap();
    assert_eq!(verified.kid, kid);
    assert_eq!(verified.payload, payload);
}

#[wasm_bindgen_test]
async fn the_stored_private_key_cannot_be_exported() {
    let name = unique("extract");
    let store = open(&name).await;
    load_or_create(&store, at(0)).await.unwrap();
    let AppStore::Idb(idb) = &store else {
        unreachable!()
    };
    let row = idb.device_key().await.unwrap().unwrap();
    let private: web_sys::CryptoKey = Reflect::get(&row, &"private_key".into())
        .unwrap()
        .dyn_into()
        .unwrap();
    assert!(!private.extractable());
    assert_eq!(
        Reflect::get(&private.algorithm().unwrap(), &"namedCurve".into())
            .unwrap()
            .as_string()
            .as_deref(),
        Some("P-256")
    );
    let subtle = web_sys::window().unwrap().crypto().unwrap().subtle();
    for format in ["jwk", "pkcs8"] {
        let refused = JsFuture::from(subtle.export_key(format, &private).unwrap()).await;
        let error: web_sys::DomException = refused.expect_err(format).unchecked_into();
        assert_eq!(error.name(), "InvalidAccessError", "{format}");
    }
    // Nothing in the row is key material but the CryptoKey handles.
    let fields: Vec<String> = js_sys::Object::keys(row.unchecked_ref::<js_sys::Object>())
        .iter()
        .filter_map(|k| k.as_string())
        .collect();
    assert_eq!(
        fields,
        [
            "key",
            "v",
            "kid",
            "x",
            "y",
            "created_at",
            "private_key",
            "public_key"
        ]
    );
}

#[wasm_bindgen_test]
async fn two_tabs_making_the_first_key_at_once_end_up_with_one() {
    let name = unique("race");
    let first = open(&name).await;
    let second = open(&name).await;
    let (a, b) = futures::future::join(
        load_or_create(&first, at(1)),
        load_or_create(&second, at(2)),
    )
    .await;
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.kid(), b.kid(), "the first key stored wins in both tabs");
    let stored = load(&first).await.unwrap().unwrap();
    assert_eq!(stored.kid(), a.kid());
    // The loser's own key was never kept: signing with the kept key works
    // for both handles.
    let signature = b.sign(b"x").await.unwrap();
    assert!(a.jwk().verifies(b"x", &signature));
}
