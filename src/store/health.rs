//! Storage health (wasm32 only): whether the browser may evict the data, and
//! how much room is left. Days of registrations live only on the phone until
//! they are exported, so the app asks for persistent storage and warns
//! before the disk is full (a full disk fails writes with
//! `StoreError::QuotaExceeded`).
//!
//! `navigator.storage` exists only in secure contexts (https, 127.0.0.1);
//! where it is missing these functions answer `false` / `None`.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{StorageEstimate, StorageManager};

fn storage_manager() -> Option<StorageManager> {
    let navigator = web_sys::window()?.navigator();
    let storage = js_sys::Reflect::get(&navigator, &"storage".into()).ok()?;
    if storage.is_undefined() || storage.is_null() {
        None
    } else {
        Some(storage.unchecked_into())
    }
}

async fn answer(promise: Result<js_sys::Promise, JsValue>) -> Option<JsValue> {
    JsFuture::from(promise.ok()?).await.ok()
}

/// Asks the browser not to evict this origin's data under storage pressure
/// (`navigator.storage.persist()`). `true` if the data is now persistent.
/// Chrome decides without a prompt (installed app, engagement).
pub async fn request_persistence() -> bool {
    match storage_manager() {
        Some(storage) => answer(storage.persist())
            .await
            .is_some_and(|v| v.is_truthy()),
        None => false,
    }
}

/// Whether the data is already persistent (`navigator.storage.persisted()`).
pub async fn is_persisted() -> bool {
    match storage_manager() {
        Some(storage) => answer(storage.persisted())
            .await
            .is_some_and(|v| v.is_truthy()),
        None => false,
    }
}

/// `(used, quota)` in bytes for this origin (`navigator.storage.estimate()`).
/// Estimates: browsers round and pad them on purpose.
pub async fn estimate() -> Option<(u64, u64)> {
    let estimate: StorageEstimate = answer(storage_manager()?.estimate())
        .await?
        .unchecked_into();
    let used = estimate.get_usage()?;
    let quota = estimate.get_quota()?;
    Some((used as u64, quota as u64))
}
