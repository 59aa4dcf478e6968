//! The outbox's sender: bundles go to the district server by themselves
//! when the phone is online (docs/sync-protocol.md). The rules are the
//! core's (`lindung_core::outbox`, `lindung_core::sync`); this module runs
//! them: it asks the district for the device's state, pins the district key
//! at the first contact, makes the next bundle when there are unsent
//! changes (never while a form is open), sends queued bundles oldest first,
//! and stores each answer.
//!
//! Invariants:
//! - Only the writing tab sends (the writer lock is a Web Lock, so one
//!   sender across tabs), and one pass at a time in it.
//! - A bundle is delivered only on a receipt that WebCrypto verified under
//!   the pinned district key and that names its kid, sequence and hash
//!   (`lindung_core::sync::receipt_from`); its new state is shown only after
//!   the store committed it.
//! - A document signed by another key than the pinned one is refused and
//!   the agent is told (`document.not_pinned`); nothing is sent to that
//!   server until the officer sorts it out.
//! - Failures back off (1 minute doubling to 30, jitter) and never give up;
//!   the wait starts again when the app starts and when the network
//!   returns.

use std::cell::Cell;

use leptos::prelude::*;
use lindung_core::outbox::{self, Attempt, Delivery};
use lindung_core::sync::{
    device_state_from, open_document, receipt_from, DeviceState, DeviceStatus, DocumentError,
    DEVICE_STATE_TYP, RECEIPT_TYP, RULE_PACK_TYP,
};
use lindung_core::Lang;

use crate::net::{self, Answer};
use crate::platform;
use crate::route::Route;
use crate::state::Ctx;
use crate::store::{BundleInfo, BundleState};
use crate::texts::sync as tr;

/// How long one request may take.
const TIMEOUT_MS: i32 = 30_000;
/// How often an open app looks again while bundles wait.
const TICK_MS: u64 = 60_000;

/// What the sender is doing, for the screens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SyncStatus {
    /// No district server is known (a file-only office).
    NoServer,
    /// Waiting (everything sent, or the next try is later).
    Idle,
    /// Talking to the server now.
    Sending,
    /// The last try failed: a stable code (`network`, `timeout`,
    /// `document.shape` for a page that is not the district's,
    /// `document.not_pinned` for another district key, ...).
    Failed(String),
}

impl SyncStatus {
    pub fn message(&self, lang: Lang) -> String {
        let text = match self {
            SyncStatus::NoServer => tr::NO_SERVER,
            SyncStatus::Idle => tr::READY,
            SyncStatus::Sending => tr::SENDING,
            SyncStatus::Failed(code) => return failure_message(code, lang),
        };
        text.get(lang).to_owned()
    }
}

/// What the agent reads for a failed try.
pub fn failure_message(code: &str, lang: Lang) -> String {
    let text = match code {
        "network" | "timeout" => tr::SERVER_UNREACHABLE,
        "document.not_pinned" => tr::KEY_NOT_PINNED,
        "document.shape" | "document.header" | "document.typ" | "document.kid" => {
            tr::NOT_THE_SERVER
        }
        "document.signature" | "document.payload" => tr::ANSWER_INVALID,
        code if code.starts_with("http.5") => tr::SERVER_TROUBLE,
        "server.busy" | "server.rate" | "server.register" | "server.body_timeout" => {
            tr::SERVER_BUSY
        }
        _ => tr::SENDING_FAILED,
    };
    text.get(lang).to_owned()
}

/// What the agent reads for a refused bundle, by its code.
pub fn refusal_message(code: Option<&str>, lang: Lang) -> String {
    let text = match code.unwrap_or("") {
        "register.revoked" => tr::KEY_REVOKED,
        "register.conflict" => tr::SEQUENCE_CONFLICT,
        "server.too_large" => tr::BUNDLE_TOO_LARGE,
        "register.chain" => tr::CHAIN_BROKEN,
        _ => tr::BUNDLE_REFUSED,
    };
    text.get(lang).to_owned()
}

/// A bundle's delivery (bundles stored before the outbox are queued unless
/// they were marked as handed in).
pub fn delivery_of(info: &BundleInfo) -> Option<Delivery> {
    match (&info.delivery, info.state) {
        (Some(delivery), _) => Some(delivery.clone()),
        (None, BundleState::Delivered) => None,
        (None, _) => Some(Delivery::new_queued(info.created_at.millis())),
    }
}

/// The district server's base URL: the one in Settings, or the app's own
/// origin when it answered as a district server.
pub fn server_base(ctx: &Ctx) -> Option<String> {
    let configured = ctx.settings.with_untracked(|s| s.server_url.clone());
    match configured {
        Some(url) if !url.trim().is_empty() => Some(url.trim().trim_end_matches('/').to_owned()),
        _ => ctx.own_server.get_untracked(),
    }
}

thread_local! {
    static RUNNING: Cell<bool> = const { Cell::new(false) };
    static AGAIN: Cell<bool> = const { Cell::new(false) };
}

/// Starts the sender in the writing tab: asks whether the app's own
/// origin is a district server, then sends at once, when the network
/// returns, when the page becomes visible, and every minute while bundles
/// wait.
pub fn start(ctx: Ctx) {
    leptos::task::spawn_local(async move {
        probe_origin(&ctx, false).await;
        refresh_status(&ctx);
        send_soon(ctx, true);
    });
    // Leaving a form with unsent changes: the next bundle can be made.
    Effect::new(move |_| {
        let _ = ctx.route.get();
        if server_base(&ctx).is_some() && !in_a_form(&ctx) && has_unsent_changes(&ctx) {
            send_soon(ctx, false);
        }
    });
    let _ = window_event_listener_untyped("online", move |_| send_soon(ctx, true));
    let _ = window_event_listener_untyped("visibilitychange", move |_| {
        // `document.hidden`, read without another web-sys feature.
        let hidden = js_sys::Reflect::get(&document(), &"hidden".into())
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        if !hidden {
            send_soon(ctx, false);
        }
    });
    set_interval(
        move || {
            let due = ctx.bundles.with_untracked(|bundles| {
                let list = deliveries(bundles);
                outbox::next_to_send(&list, platform::now().millis()).is_some()
            });
            if due || has_unsent_changes(&ctx) {
                send_soon(ctx, false);
            }
        },
        std::time::Duration::from_millis(TICK_MS),
    );
}

/// The one member of `/api/v1/status` the probe reads. A typed struct, not a
/// `serde_json::Value`: the probe runs at start-up, so whatever it parses with
/// is in the first-load module.
#[derive(serde::Deserialize)]
struct ServiceStatus {
    service: String,
}

/// Whether the app's own origin is a district server: remembered from the
/// last answer (so a start without signal asks nothing), asked when never
/// asked or, while it is not known to be one, when `again` (the agent
/// pressed Kirim sekarang or saved Settings). A "yes" is never asked again.
pub async fn probe_origin(ctx: &Ctx, again: bool) {
    let Some(origin) = net::origin() else {
        return;
    };
    let known = crate::platform::origin_is_district();
    if known == Some(true) {
        // Once a district, always: a wifi login page answering in its place
        // must not make the app forget it.
        ctx.own_server.set(Some(origin));
        return;
    }
    if known.is_some() && !again {
        return;
    }
    let url = format!("{origin}/api/v1/status");
    if let Ok(answer) = net::fetch("GET", &url, None, TIMEOUT_MS).await {
        let is_district = answer.status == 200
            && serde_json::from_slice::<ServiceStatus>(&answer.body)
                .is_ok_and(|s| s.service == "lindung-district");
        crate::platform::remember_origin_is_district(is_district);
        ctx.own_server.set(is_district.then_some(origin));
    }
}

/// Asks the origin again, then sends ("Kirim sekarang", Settings saved).
pub fn probe_and_send(ctx: Ctx) {
    leptos::task::spawn_local(async move {
        probe_origin(&ctx, true).await;
        send_soon(ctx, true);
    });
}

/// Shows whether a server is known.
fn refresh_status(ctx: &Ctx) {
    if server_base(ctx).is_none() {
        ctx.sync.set(SyncStatus::NoServer);
    } else if ctx.sync.get_untracked() == SyncStatus::NoServer {
        ctx.sync.set(SyncStatus::Idle);
    }
}

/// Runs a pass now (another one right after, if one is running);
/// `reset`: the backoff starts again ("Kirim sekarang", the network came
/// back, the app started).
pub fn send_soon(ctx: Ctx, reset: bool) {
    if RUNNING.with(Cell::get) {
        AGAIN.with(|a| a.set(true));
        return;
    }
    leptos::task::spawn_local(async move {
        RUNNING.with(|r| r.set(true));
        let mut reset = reset;
        loop {
            AGAIN.with(|a| a.set(false));
            run(ctx, reset).await;
            reset = true;
            if !AGAIN.with(Cell::get) {
                break;
            }
        }
        RUNNING.with(|r| r.set(false));
    });
}

fn deliveries(bundles: &[BundleInfo]) -> Vec<(u64, Delivery)> {
    bundles
        .iter()
        .filter_map(|b| delivery_of(b).map(|d| (b.sequence, d)))
        .collect()
}

/// Whether the workspace has changes no bundle carries yet.
fn has_unsent_changes(ctx: &Ctx) -> bool {
    let sent = ctx.bundles.with_untracked(|b| crate::state::sent_by(b));
    ctx.workspace
        .with_untracked(|ws| !lindung_core::export::pending_summary(ws, &sent).is_empty())
}

/// Whether the agent may be typing (a form is open): no bundle is made then.
fn in_a_form(ctx: &Ctx) -> bool {
    matches!(
        ctx.route.get_untracked(),
        Route::Register(_) | Route::Edit(_) | Route::Check
    )
}

/// One pass: device state, the next bundle if due, then the queue.
async fn run(ctx: Ctx, reset: bool) {
    refresh_status(&ctx);
    if !ctx.is_writer() {
        return;
    }
    let Some(base) = server_base(&ctx) else {
        return;
    };
    let Some(kid) = ctx.kid.get_untracked() else {
        return;
    };
    if reset {
        store_all(&ctx, outbox::reset_backoff).await;
    }
    ctx.sync.set(SyncStatus::Sending);
    let state = match device_state(&ctx, &base, &kid).await {
        Ok(state) => state,
        Err(code) => {
            ctx.sync.set(SyncStatus::Failed(code));
            schedule(ctx);
            return;
        }
    };
    let settings = keep_state(&ctx, &state).await;
    offer_pack(&ctx, &base, &state).await;
    store_all(&ctx, |list, now| {
        outbox::resend_missing(list, &state, now);
    })
    .await;
    // The next bundle, made by itself: only with the setting on, unsent
    // changes, and no form open.
    if settings.auto_send
        && state.status != DeviceStatus::Revoked
        && has_unsent_changes(&ctx)
        && !in_a_form(&ctx)
    {
        let _ = ctx.export().await;
    }
    let pinned = ctx
        .settings
        .with_untracked(|s| s.district_kid.clone())
        .unwrap_or_default();
    let mut sent = false;
    loop {
        let now = platform::now().millis();
        let next = ctx
            .bundles
            .with_untracked(|b| outbox::next_to_send(&deliveries(b), now));
        let Some(sequence) = next else { break };
        let failed = send_one(&ctx, &base, &pinned, sequence, &state).await;
        if let Some(code) = failed {
            ctx.sync.set(SyncStatus::Failed(code));
            schedule(ctx);
            return;
        }
        sent = true;
    }
    // What the district now says of the records just sent (quarantined,
    // duplicates, standing), so the roster shows it before the agent leaves
    // the signal.
    if sent {
        if let Ok(state) = device_state(&ctx, &base, &kid).await {
            keep_state(&ctx, &state).await;
        }
    }
    ctx.sync.set(SyncStatus::Idle);
    schedule(ctx);
}

/// Stores the district's word about this device with the time it was
/// reached; returns the settings as stored.
async fn keep_state(ctx: &Ctx, state: &DeviceState) -> crate::store::Settings {
    let mut settings = ctx.settings.get_untracked();
    settings.last_sync = Some(platform::now());
    settings.district_state = Some(state.clone());
    let _ = ctx.save_settings(settings.clone()).await;
    settings
}

/// Sets a timer for the next queued bundle's attempt.
fn schedule(ctx: Ctx) {
    let next = ctx
        .bundles
        .with_untracked(|b| outbox::next_attempt_ms(&deliveries(b)));
    if let Some(at) = next {
        let wait = (at - platform::now().millis()).clamp(1_000, 30 * 60_000);
        set_timeout(
            move || send_soon(ctx, false),
            std::time::Duration::from_millis(wait as u64),
        );
    }
}

/// Applies `change` to every bundle's delivery and stores those that
/// changed (each after its write committed).
async fn store_all(ctx: &Ctx, change: impl FnOnce(&mut [(u64, Delivery)], i64)) {
    let mut list = ctx.bundles.with_untracked(|b| deliveries(b));
    let before = list.clone();
    change(&mut list, platform::now().millis());
    for ((sequence, after), (_, was)) in list.into_iter().zip(before) {
        if after != was {
            let _ = ctx.set_delivery(sequence, after).await;
        }
    }
}

/// Reads a document of `typ` from `answer` (the body, or a problem's
/// `receipt` member) and checks its signature with WebCrypto.
async fn verified(
    answer: &Answer,
    typ: &str,
) -> Result<(lindung_core::sync::Document, String), String> {
    let text = if answer.content_type == "application/problem+json" {
        let problem: serde_json::Value =
            serde_json::from_slice(&answer.body).map_err(|_| "document.shape".to_owned())?;
        problem
            .get("receipt")
            .filter(|r| r.is_object())
            .map(|r| r.to_string())
            .ok_or_else(|| "document.shape".to_owned())?
    } else {
        String::from_utf8(answer.body.clone()).map_err(|_| "document.shape".to_owned())?
    };
    let document = open_document(text.as_bytes(), typ).map_err(|e| e.code().to_owned())?;
    if !net::verifies(
        &document.jwk,
        document.signing_input(),
        document.signature(),
    )
    .await
    {
        return Err(DocumentError::Signature.code().to_owned());
    }
    Ok((document, text))
}

/// The device's state at the district; pins the district key at the first
/// contact. `Err`: a stable code.
async fn device_state(ctx: &Ctx, base: &str, kid: &str) -> Result<DeviceState, String> {
    let url = format!("{base}/api/v1/devices/{kid}");
    let answer = net::fetch("GET", &url, None, TIMEOUT_MS)
        .await
        .map_err(|e| e.code().to_owned())?;
    if answer.status != 200 {
        return Err(format!("http.{}", answer.status));
    }
    let (document, _) = verified(&answer, DEVICE_STATE_TYP).await?;
    let pinned = ctx.settings.with_untracked(|s| s.district_kid.clone());
    let state =
        device_state_from(&document, pinned.as_deref(), kid).map_err(|e| e.code().to_owned())?;
    if pinned.is_none() {
        // The first contact: this is the district key from now on.
        let mut settings = ctx.settings.get_untracked();
        settings.district_kid = Some(document.kid.clone());
        ctx.save_settings(settings)
            .await
            .map_err(|_| "store".to_owned())?;
    }
    Ok(state)
}

/// Fetches the district's rule pack when its device state names another
/// than the one in use, and offers it (Home asks the agent, between
/// entries) once its signature and digest are checked. A pack that fails a
/// check is not offered; the sender goes on.
async fn offer_pack(ctx: &Ctx, base: &str, state: &DeviceState) {
    let active = ctx.active_pack();
    let Some(named) = lindung_core::notes::pack_offer(state, &active.digest).cloned() else {
        ctx.offered_pack.set(None);
        return;
    };
    let already = ctx
        .offered_pack
        .with_untracked(|o| o.as_ref().is_some_and(|o| o.named == named));
    if already {
        return;
    }
    let Ok(answer) = net::fetch("GET", &format!("{base}/api/v1/rule-pack"), None, TIMEOUT_MS).await
    else {
        return;
    };
    if answer.status != 200 {
        return;
    }
    let Ok((document, _)) = verified(&answer, RULE_PACK_TYP).await else {
        return;
    };
    let pinned = ctx.settings.with_untracked(|s| s.district_kid.clone());
    if pinned.is_none_or(|p| document.check_pinned(&p).is_err()) {
        return;
    }
    let json = document.payload_bytes();
    match lindung_core::notes::offered_pack(json, &named) {
        Ok(pack) => ctx.offered_pack.set(Some(crate::state::OfferedPack {
            json: String::from_utf8_lossy(json).into_owned(),
            pack,
            named,
            declined: false,
        })),
        Err(_) => ctx.offered_pack.set(None),
    }
}

/// Sends bundle `sequence`; `Some(code)` when the try failed (the queue
/// stops until the next pass), `None` when the district answered.
async fn send_one(
    ctx: &Ctx,
    base: &str,
    pinned: &str,
    sequence: u64,
    state: &DeviceState,
) -> Option<String> {
    let info = ctx
        .bundles
        .with_untracked(|b| b.iter().find(|b| b.sequence == sequence).cloned())?;
    let before = delivery_of(&info)?;
    let file = match ctx.bundle_file(sequence).await {
        Ok(file) => file,
        Err(_) => return Some("store".into()),
    };
    if outbox::over_limit(file.len(), state) {
        // Never sent: the district's signed word says its server refuses it.
        let after = before.after(&Attempt::OverLimit, platform::now().millis(), 0.0);
        return ctx
            .set_delivery(sequence, after)
            .await
            .err()
            .map(|_| "store".into());
    }
    let url = format!("{base}/api/v1/bundles");
    let jitter = js_random();
    ctx.sending.set(Some(sequence));
    let answer = net::fetch("POST", &url, Some(&file), TIMEOUT_MS).await;
    ctx.sending.set(None);
    let attempt = match answer {
        Err(e) => Attempt::Failed {
            code: e.code().into(),
            retry_after_ms: None,
        },
        Ok(answer) => match verified(&answer, RECEIPT_TYP).await {
            // A server error without a receipt (a proxy's 502, a crash):
            // said as such, not as a page that is not the district.
            Err(_) if answer.status >= 500 => Attempt::Failed {
                code: format!("http.{}", answer.status),
                retry_after_ms: answer.retry_after_ms,
            },
            Err(code) => Attempt::Failed {
                code,
                retry_after_ms: answer.retry_after_ms,
            },
            Ok((document, text)) => {
                match receipt_from(&document, pinned, &info.kid, sequence, &info.chain_hash) {
                    Ok(receipt) => Attempt::Receipt { receipt, text },
                    Err(e) => Attempt::Failed {
                        code: e.code().into(),
                        retry_after_ms: answer.retry_after_ms,
                    },
                }
            }
        },
    };
    let after = before.after(&attempt, platform::now().millis(), jitter);
    let failed = match &attempt {
        Attempt::Failed { code, .. } => Some(code.clone()),
        Attempt::OverLimit => None,
        Attempt::Receipt { .. } => match &after {
            Delivery::Queued { last_error, .. } => {
                last_error.clone().or(Some("retry_later".into()))
            }
            _ => None,
        },
    };
    if ctx.set_delivery(sequence, after).await.is_err() {
        return Some("store".into());
    }
    failed
}

fn js_random() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::Math::random()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0.5
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lindung_core::Timestamp;

    fn info(state: BundleState, delivery: Option<Delivery>) -> BundleInfo {
        BundleInfo {
            sequence: 1,
            bundle_id: "b".into(),
            kid: "k".into(),
            created_at: Timestamp::from_millis(42),
            chain_hash: "h".into(),
            state,
            exported_at: None,
            delivered_at: None,
            bytes: 1,
            villages: vec![],
            contents: vec![],
            delivery,
        }
    }

    #[test]
    fn bundles_from_before_the_outbox_are_queued_unless_handed_in() {
        let queued = Some(Delivery::new_queued(42));
        let cases = [
            (BundleState::Made, None, queued.clone()),
            (BundleState::Exported, None, queued.clone()),
            (BundleState::Delivered, None, None),
            (
                BundleState::Delivered,
                Some(Delivery::new_queued(7)),
                Some(Delivery::new_queued(7)),
            ),
        ];
        for (state, delivery, want) in cases {
            assert_eq!(
                delivery_of(&info(state, delivery.clone())),
                want,
                "{state:?} {delivery:?}"
            );
        }
    }

    #[test]
    fn every_failure_and_refusal_reads_in_both_languages() {
        let codes = [
            "network",
            "timeout",
            "document.not_pinned",
            "document.shape",
            "document.signature",
            "server.busy",
            "http.404",
            "http.500",
        ];
        for code in codes {
            let (id, en) = (
                failure_message(code, Lang::Id),
                failure_message(code, Lang::En),
            );
            assert!(!id.is_empty() && !en.is_empty() && id != en, "{code}");
        }
        assert!(failure_message("document.not_pinned", Lang::Id).contains("kunci kantor"));
        assert!(failure_message("http.502", Lang::Id).contains("bermasalah"));
        assert!(!failure_message("http.404", Lang::Id).contains("bermasalah"));
        for code in [
            None,
            Some("register.revoked"),
            Some("register.conflict"),
            Some("server.too_large"),
        ] {
            assert_ne!(
                refusal_message(code, Lang::Id),
                refusal_message(code, Lang::En)
            );
        }
        assert_ne!(
            refusal_message(Some("register.revoked"), Lang::Id),
            refusal_message(None, Lang::Id)
        );
    }
}
