//! The network and the district key's signatures, for the outbox
//! (`sync.rs`): `fetch` with a timeout, and ES256 verification with
//! WebCrypto (the core's P-256 code stays out of the wasm). With
//! `platform.rs`, `device.rs` and `store/`, one of the few places that touch
//! browser APIs.
//!
//! Invariants: every request ends within its timeout (aborted, then
//! `NetError::Timeout`); a response is read whole (at most
//! [`MAX_ANSWER_BYTES`]) before anything looks at it; nothing here decides
//! what an answer means.

use lindung_core::bundle::Jwk;

/// The most an answer may hold (a device state of a large village).
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub const MAX_ANSWER_BYTES: usize = 4 * 1024 * 1024;

/// An HTTP answer, read whole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    /// The media type, lower case, without parameters.
    pub content_type: String,
    /// `Retry-After` in milliseconds, when given in seconds.
    pub retry_after_ms: Option<u64>,
    pub body: Vec<u8>,
}

/// Why no answer came.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub enum NetError {
    /// No connection, DNS, TLS, CORS, or the browser refused the request.
    Network,
    Timeout,
    /// Larger than [`MAX_ANSWER_BYTES`].
    TooLarge,
}

impl NetError {
    pub fn code(self) -> &'static str {
        match self {
            NetError::Network => "network",
            NetError::Timeout => "timeout",
            NetError::TooLarge => "answer_too_large",
        }
    }
}

#[cfg(target_arch = "wasm32")]
mod web {
    use super::{Answer, NetError, MAX_ANSWER_BYTES};
    use js_sys::{Array, Object, Reflect, Uint8Array};
    use lindung_core::bundle::Jwk;
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{AbortController, Request, RequestInit, Response};

    pub async fn fetch(
        method: &str,
        url: &str,
        body: Option<&str>,
        timeout_ms: i32,
    ) -> Result<Answer, NetError> {
        let window = web_sys::window().ok_or(NetError::Network)?;
        let abort = AbortController::new().map_err(|_| NetError::Network)?;
        let init = RequestInit::new();
        init.set_method(method);
        init.set_signal(Some(&abort.signal()));
        // Answers are never cached: each says how things stand now.
        init.set_cache(web_sys::RequestCache::NoStore);
        if let Some(body) = body {
            init.set_body(&JsValue::from_str(body));
            let headers = web_sys::Headers::new().map_err(|_| NetError::Network)?;
            headers
                .set("Content-Type", "application/jose+json")
                .map_err(|_| NetError::Network)?;
            init.set_headers(&headers);
        }
        let request = Request::new_with_str_and_init(url, &init).map_err(|_| NetError::Network)?;
        let timed_out = std::rc::Rc::new(std::cell::Cell::new(false));
        let flag = timed_out.clone();
        let abort_later = abort.clone();
        let timer = leptos::prelude::set_timeout_with_handle(
            move || {
                flag.set(true);
                abort_later.abort();
            },
            std::time::Duration::from_millis(timeout_ms.max(0) as u64),
        )
        .ok();
        let result = async {
            let response = JsFuture::from(window.fetch_with_request(&request))
                .await
                .map_err(|_| NetError::Network)?;
            let response: Response = response.dyn_into().map_err(|_| NetError::Network)?;
            let headers = response.headers();
            let content_type = headers
                .get("content-type")
                .ok()
                .flatten()
                .unwrap_or_default()
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            let retry_after_ms = headers
                .get("retry-after")
                .ok()
                .flatten()
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(|s| s.saturating_mul(1000));
            if headers
                .get("content-length")
                .ok()
                .flatten()
                .and_then(|v| v.parse::<usize>().ok())
                .is_some_and(|n| n > MAX_ANSWER_BYTES)
            {
                return Err(NetError::TooLarge);
            }
            let buffer = JsFuture::from(response.array_buffer().map_err(|_| NetError::Network)?)
                .await
                .map_err(|_| NetError::Network)?;
            let body = Uint8Array::new(&buffer).to_vec();
            if body.len() > MAX_ANSWER_BYTES {
                return Err(NetError::TooLarge);
            }
            Ok(Answer {
                status: response.status(),
                content_type,
                retry_after_ms,
                body,
            })
        }
        .await;
        if let Some(timer) = timer {
            timer.clear();
        }
        match result {
            Err(_) if timed_out.get() => Err(NetError::Timeout),
            other => other,
        }
    }

    pub async fn verifies(jwk: &Jwk, message: &[u8], signature: &[u8]) -> bool {
        let Some(subtle) = web_sys::window()
            .and_then(|w| w.crypto().ok())
            .and_then(|c| Reflect::get(&c, &"subtle".into()).ok())
            .filter(|s| !s.is_undefined())
            .map(|s| s.unchecked_into::<web_sys::SubtleCrypto>())
        else {
            return false;
        };
        let key_data = Object::new();
        for (k, v) in [
            ("kty", "EC"),
            ("crv", "P-256"),
            ("x", jwk.x()),
            ("y", jwk.y()),
        ] {
            let _ = Reflect::set(&key_data, &k.into(), &v.into());
        }
        let algorithm = Object::new();
        let _ = Reflect::set(&algorithm, &"name".into(), &"ECDSA".into());
        let _ = Reflect::set(&algorithm, &"namedCurve".into(), &"P-256".into());
        let usages = Array::of1(&"verify".into());
        let Ok(promise) =
            subtle.import_key_with_object("jwk", &key_data, &algorithm, false, &usages)
        else {
            return false;
        };
        let Ok(key) = JsFuture::from(promise).await else {
            return false;
        };
        let key: web_sys::CryptoKey = key.unchecked_into();
        let params = web_sys::EcdsaParams::new("ECDSA", &JsValue::from_str("SHA-256"));
        let Ok(promise) = subtle.verify_with_object_and_buffer_source_and_buffer_source(
            &params,
            &key,
            &Uint8Array::from(signature),
            &Uint8Array::from(message),
        ) else {
            return false;
        };
        JsFuture::from(promise)
            .await
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false)
    }

    pub fn origin() -> Option<String> {
        web_sys::window()?.location().origin().ok()
    }
}

/// `method url` with `body` (as `application/jose+json`), answered within
/// `timeout_ms`.
pub async fn fetch(
    method: &str,
    url: &str,
    body: Option<&str>,
    timeout_ms: i32,
) -> Result<Answer, NetError> {
    #[cfg(target_arch = "wasm32")]
    {
        web::fetch(method, url, body, timeout_ms).await
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = (method, url, body, timeout_ms);
        Err(NetError::Network)
    }
}

/// Whether `signature` (raw `r || s`) signs `message` under `jwk`, checked
/// by WebCrypto.
pub async fn verifies(jwk: &Jwk, message: &[u8], signature: &[u8]) -> bool {
    #[cfg(target_arch = "wasm32")]
    {
        web::verifies(jwk, message, signature).await
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        jwk.verifies(message, signature)
    }
}

/// The page's origin (`https://lindung.example.go.id`).
pub fn origin() -> Option<String> {
    #[cfg(target_arch = "wasm32")]
    {
        web::origin()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        None
    }
}
