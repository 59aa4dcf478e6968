//! The device's signing key (WebCrypto; only the browser runs it).
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
//!
//! At first use the app asks WebCrypto for an ECDSA P-256 key pair with
//! `extractable: false` and keeps both `CryptoKey` objects in IndexedDB
//! (store `keys`, by structured clone). The private key's bytes therefore
//! never exist in JavaScript or wasm memory: the browser signs with it and
//! will not hand it out, not even to this code. The public key's coordinates
//! (`x`, `y`) are exported once and stored beside it, with its `kid` (RFC 7638
//! thumbprint, computed by the core).
//!
//! Invariants:
//! - one key per device: the first key stored wins ([`IdbStore::add_device_key`]
//!   reads and adds in one transaction), so two tabs never sign with two keys;
//! - every signature is checked with the public key (WebCrypto `verify`)
//!   before a bundle is made from it;
//! - nothing here runs inside an IndexedDB transaction: the key is read,
//!   then used; bundles are signed first and written after.
//!
//! Where IndexedDB cannot be used (private mode), the key lives in memory for
//! the page's lifetime only, like everything else then; the app says so.

use std::cell::RefCell;

use js_sys::{Array, Object, Reflect, Uint8Array};
use lindung_core::bundle::Jwk;
use lindung_core::{Lang, Timestamp};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, CryptoKeyPair, EcKeyGenParams, EcdsaParams, JsonWebKey, SubtleCrypto};

use crate::backend::AppStore;
use crate::store::StoreError;
use crate::texts::app as tr;

/// The format of the stored key row.
const ROW_VERSION: f64 = 1.0;

/// Why there is no key to sign with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyError {
    /// No WebCrypto: the page is not in a secure context (https or localhost).
    Unsupported,
    /// WebCrypto refused or failed; the browser's text (names no data).
    Crypto(String),
    /// The stored key row is not one this code wrote.
    Corrupt(String),
    Store(StoreError),
}

impl KeyError {
    pub fn message(&self, lang: Lang) -> String {
        match self {
            KeyError::Unsupported => tr::BROWSER_CANNOT_SIGN_DATA.get(lang).to_owned(),
            KeyError::Crypto(detail) => tr::device_key_failed(lang, detail),
            KeyError::Corrupt(detail) => tr::device_key_unreadable(lang, detail),
            KeyError::Store(error) => error.message(lang),
        }
    }
}

fn crypto_error(value: JsValue) -> KeyError {
    if let Some(e) = value.dyn_ref::<web_sys::DomException>() {
        KeyError::Crypto(format!("{}: {}", e.name(), e.message()))
    } else if let Some(e) = value.dyn_ref::<js_sys::Error>() {
        KeyError::Crypto(String::from(e.message()))
    } else {
        KeyError::Crypto("unexpected JavaScript error".into())
    }
}

fn subtle() -> Result<SubtleCrypto, KeyError> {
    let window = web_sys::window().ok_or(KeyError::Unsupported)?;
    // `crypto.subtle` is undefined outside secure contexts.
    let crypto = window.crypto().map_err(|_| KeyError::Unsupported)?;
    let subtle = Reflect::get(&crypto, &"subtle".into()).map_err(|_| KeyError::Unsupported)?;
    if subtle.is_undefined() {
        return Err(KeyError::Unsupported);
    }
    Ok(subtle.unchecked_into())
}

fn ecdsa_sha256() -> EcdsaParams {
    EcdsaParams::new("ECDSA", &JsValue::from_str("SHA-256"))
}

/// The device key: a handle to the browser's private key and the public key.
#[derive(Clone)]
pub struct DeviceKey {
    private: CryptoKey,
    public: CryptoKey,
    jwk: Jwk,
    kid: String,
    created_at: Timestamp,
}

impl DeviceKey {
    /// The key id the district enrols: RFC 7638 thumbprint, base64url.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    pub fn jwk(&self) -> &Jwk {
        &self.jwk
    }

    pub fn created_at(&self) -> Timestamp {
        self.created_at
    }

    /// Whether the private key can leave the browser (it never can).
    pub fn private_key_extractable(&self) -> bool {
        self.private.extractable()
    }

    /// ES256 signature (raw `r || s`, as JWS wants it) of `message`,
    /// checked with the public key before it is returned.
    pub async fn sign(&self, message: &[u8]) -> Result<[u8; 64], KeyError> {
        let subtle = subtle()?;
        let promise = subtle
            .sign_with_object_and_u8_array(&ecdsa_sha256(), &self.private, message)
            .map_err(crypto_error)?;
        let signature = JsFuture::from(promise).await.map_err(crypto_error)?;
        let bytes = Uint8Array::new(&signature).to_vec();
        let signature: [u8; 64] = bytes
            .try_into()
            .map_err(|_| KeyError::Crypto("the signature is not 64 bytes".into()))?;
        if !self.verify(message, &signature).await? {
            return Err(KeyError::Crypto("the signature does not verify".into()));
        }
        Ok(signature)
    }

    /// SHA-256 of `message`, by WebCrypto (a bundle's chain link: see
    /// `Prepared::finish_verified_with_digest`).
    pub async fn sha256(message: &[u8]) -> Result<[u8; 32], KeyError> {
        let promise = subtle()?
            .digest_with_str_and_u8_array("SHA-256", message)
            .map_err(crypto_error)?;
        let digest = JsFuture::from(promise).await.map_err(crypto_error)?;
        Uint8Array::new(&digest)
            .to_vec()
            .try_into()
            .map_err(|_| KeyError::Crypto("the digest is not 32 bytes".into()))
    }

    /// Whether `signature` signs `message` under the device's public key.
    pub async fn verify(&self, message: &[u8], signature: &[u8]) -> Result<bool, KeyError> {
        let subtle = subtle()?;
        let signature = Uint8Array::from(signature);
        let data = Uint8Array::from(message);
        let promise = subtle
            .verify_with_object_and_buffer_source_and_buffer_source(
                &ecdsa_sha256(),
                &self.public,
                &signature,
                &data,
            )
            .map_err(crypto_error)?;
        let valid = JsFuture::from(promise).await.map_err(crypto_error)?;
        Ok(valid.as_bool() == Some(true))
    }

    fn to_row(&self) -> JsValue {
        let row = Object::new();
        let set = |k: &str, v: &JsValue| {
            let _ = Reflect::set(&row, &k.into(), v);
        };
        set("key", &"device".into());
        set("v", &ROW_VERSION.into());
        set("kid", &self.kid.as_str().into());
        set("x", &self.jwk.x().into());
        set("y", &self.jwk.y().into());
        set("created_at", &(self.created_at.millis() as f64).into());
        set("private_key", &self.private);
        set("public_key", &self.public);
        row.into()
    }

    fn from_row(row: &JsValue) -> Result<DeviceKey, KeyError> {
        let get = |k: &str| Reflect::get(row, &k.into()).unwrap_or(JsValue::UNDEFINED);
        let text = |k: &str| {
            get(k)
                .as_string()
                .ok_or_else(|| KeyError::Corrupt(format!("{k} is missing")))
        };
        if get("v").as_f64() != Some(ROW_VERSION) {
            return Err(KeyError::Corrupt("unknown key row version".into()));
        }
        let private: CryptoKey = get("private_key")
            .dyn_into()
            .map_err(|_| KeyError::Corrupt("private_key is not a CryptoKey".into()))?;
        let public: CryptoKey = get("public_key")
            .dyn_into()
            .map_err(|_| KeyError::Corrupt("public_key is not a CryptoKey".into()))?;
        let jwk = Jwk::from_coordinates(&text("x")?, &text("y")?)
            .ok_or_else(|| KeyError::Corrupt("x, y are not a P-256 point".into()))?;
        let kid = text("kid")?;
        if kid != jwk.thumbprint() {
            return Err(KeyError::Corrupt("kid is not the key's thumbprint".into()));
        }
        let created_at = Timestamp::from_millis(get("created_at").as_f64().unwrap_or(0.0) as i64);
        Ok(DeviceKey {
            private,
            public,
            jwk,
            kid,
            created_at,
        })
    }

    /// A new non-extractable key pair from WebCrypto (not stored yet).
    async fn generate(now: Timestamp) -> Result<DeviceKey, KeyError> {
        let subtle = subtle()?;
        let usages = Array::of2(&"sign".into(), &"verify".into());
        let promise = subtle
            .generate_key_with_object(&EcKeyGenParams::new("ECDSA", "P-256"), false, &usages)
            .map_err(crypto_error)?;
        let pair: CryptoKeyPair = JsFuture::from(promise)
            .await
            .map_err(crypto_error)?
            .unchecked_into();
        let private = pair.get_private_key();
        let public = pair.get_public_key();
        // Public keys are always exportable; the private one is not.
        let exported = JsFuture::from(subtle.export_key("jwk", &public).map_err(crypto_error)?)
            .await
            .map_err(crypto_error)?;
        let exported: JsonWebKey = exported.unchecked_into();
        let (Some(x), Some(y)) = (exported.get_x(), exported.get_y()) else {
            return Err(KeyError::Crypto("the public key has no coordinates".into()));
        };
        let jwk = Jwk::from_coordinates(&x, &y)
            .ok_or_else(|| KeyError::Crypto("WebCrypto gave an invalid public key".into()))?;
        Ok(DeviceKey {
            kid: jwk.thumbprint(),
            private,
            public,
            jwk,
            created_at: now,
        })
    }
}

thread_local! {
    /// The key of a device whose IndexedDB cannot be used: this page only.
    static MEMORY_KEY: RefCell<Option<DeviceKey>> = const { RefCell::new(None) };
}

/// The device's key, made and stored at first use.
pub async fn load_or_create(store: &AppStore, now: Timestamp) -> Result<DeviceKey, KeyError> {
    match store {
        #[cfg(target_arch = "wasm32")]
        AppStore::Idb(idb) => {
            if let Some(row) = idb.device_key().await.map_err(KeyError::Store)? {
                return DeviceKey::from_row(&row);
            }
            let key = DeviceKey::generate(now).await?;
            // Another tab may have stored its key meanwhile: theirs wins.
            let stored = idb
                .add_device_key(&key.to_row())
                .await
                .map_err(KeyError::Store)?;
            DeviceKey::from_row(&stored)
        }
        AppStore::Memory(_) => {
            if let Some(key) = MEMORY_KEY.with(|k| k.borrow().clone()) {
                return Ok(key);
            }
            let key = DeviceKey::generate(now).await?;
            MEMORY_KEY.with(|k| *k.borrow_mut() = Some(key.clone()));
            Ok(key)
        }
    }
}

/// The stored key, if this device has made one (never makes one).
pub async fn load(store: &AppStore) -> Result<Option<DeviceKey>, KeyError> {
    match store {
        #[cfg(target_arch = "wasm32")]
        AppStore::Idb(idb) => match idb.device_key().await.map_err(KeyError::Store)? {
            Some(row) => DeviceKey::from_row(&row).map(Some),
            None => Ok(None),
        },
        AppStore::Memory(_) => Ok(MEMORY_KEY.with(|k| k.borrow().clone())),
    }
}
