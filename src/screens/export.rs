//! Export: make the next signed bundle, see what it carries, download or
//! share it, and keep track of which bundles reached the district office.
//!
//! A bundle is made once and kept on the device; downloading or sharing it
//! again gives the identical file (the stored bytes, never re-signed).

use leptos::prelude::*;
use lindung_core::export::{file_name, pending_summary, VillageSummary};
use lindung_core::i18n::long_date;
use lindung_core::{Lang, Timestamp};

use lindung_core::outbox::{Delivery, Shown};

use crate::platform::{self, Shared};
use crate::state::{sent_by, Ctx};
use crate::store::{BundleInfo, BundleState};
use crate::sync::SyncStatus;
use crate::texts::export as tr;

/// The media type of a JWS in JSON serialization (RFC 7515 §9.2.1).
const MIME: &str = "application/jose+json";

fn counts_text(v: &VillageSummary, lang: Lang) -> String {
    tr::village_changes(lang, v.new, v.changed, v.removed)
}

fn state_label(state: BundleState, lang: Lang) -> &'static str {
    match state {
        BundleState::Made => tr::NOT_YET_DOWNLOADED_SHARED.get(lang),
        BundleState::Exported => tr::DOWNLOADED_SHARED_NOT_YET.get(lang),
        BundleState::Delivered => tr::RECEIVED_DISTRICT_OFFICE.get(lang),
    }
}

/// The outbox state of a bundle: (`data-delivery`, text), or `None` for a
/// bundle handed in as a file.
fn delivery_label(row: &Row, approved: bool, lang: Lang) -> Option<(&'static str, String)> {
    let delivery = row.delivery.as_ref()?;
    Some(match delivery.shown(approved) {
        Shown::Queued if row.sending => ("sending", tr::SENDING.get(lang).to_owned()),
        Shown::Queued => {
            let text = tr::QUEUED_WAITING_SENT.get(lang);
            let why = match delivery {
                Delivery::Queued {
                    last_error: Some(code),
                    ..
                } => format!(" · {}", crate::sync::failure_message(code, lang)),
                _ => String::new(),
            };
            ("queued", format!("{text}{why}"))
        }
        Shown::Delivered => {
            let at = match delivery {
                Delivery::Delivered { received_ms, .. } => {
                    time_text(Timestamp::from_millis(*received_ms), lang)
                }
                _ => String::new(),
            };
            let quarantined = match delivery {
                Delivery::Delivered { quarantined, .. } if !quarantined.is_empty() => {
                    tr::held_back(lang, quarantined.len())
                }
                _ => String::new(),
            };
            let text = tr::delivered(lang, &at, &quarantined);
            ("delivered", text)
        }
        Shown::AwaitingApproval => (
            "awaiting",
            tr::SENT_WAITING_OFFICE_APPROVE.get(lang).to_owned(),
        ),
        Shown::Conflict => (
            "conflict",
            tr::conflict(
                lang,
                &crate::sync::refusal_message(Some("register.conflict"), lang),
            ),
        ),
        Shown::Refused => {
            let code = match delivery {
                Delivery::Refused { code, .. } => code.as_deref(),
                _ => None,
            };
            let reason = crate::sync::refusal_message(code, lang);
            ("refused", tr::refused(lang, &reason))
        }
    })
}

/// "2 Desember 2026 14.05" (local time).
fn time_text(at: Timestamp, lang: Lang) -> String {
    let local = platform::local_time(at);
    format!("{} {:02}.{:02}", long_date(local.0, lang), local.1, local.2)
}

/// "512 B", "78 kB", "11.3 MB".
fn size_text(bytes: u64) -> String {
    if bytes < 1024 {
        format!("{bytes} B")
    } else if bytes < 1024 * 1024 {
        format!("{} kB", bytes.div_ceil(1024))
    } else {
        // Tenths of a MB in integers: formatting floats costs download size.
        let tenths = (bytes * 10 + 512 * 1024) / (1024 * 1024);
        format!("{}.{} MB", tenths / 10, tenths % 10)
    }
}

#[component]
pub fn ExportScreen() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let lang = ctx.lang;
    let t = move |text: crate::text::Tr| crate::text::text(lang, text);
    let busy = RwSignal::new(false);
    // (ok, text) of the last action.
    let message = RwSignal::new(None::<(bool, String)>);

    let pending = Memo::new(move |_| {
        let sent = ctx.bundles.with(|bundles| sent_by(bundles));
        ctx.workspace.with(|ws| pending_summary(ws, &sent))
    });

    let make = move |_| {
        busy.set(true);
        message.set(None);
        leptos::task::spawn_local(async move {
            let result = ctx.export().await;
            busy.set(false);
            if result.is_ok() {
                // A server known: off it goes.
                crate::sync::send_soon(ctx, false);
            }
            let lang = lang.get_untracked();
            // A bundle holds at most what fits the district's size limit: the
            // rest waits for the next one.
            let left: u32 = pending.with_untracked(|p| p.iter().map(|v| v.total()).sum());
            message.set(Some(match result {
                Ok(info) => (
                    true,
                    match left {
                        0 => tr::bundle_made(lang, info.sequence),
                        left => tr::bundle_made_more_waiting(lang, info.sequence, left),
                    },
                ),
                Err(error) => (false, error.message(lang)),
            }));
        });
    };

    let pending_view = move || {
        let lang = lang.get();
        pending.with(|villages| {
            if villages.is_empty() {
                let text = if ctx.bundles.with(Vec::is_empty) {
                    tr::NO_DATA_PHONE_YET.get(lang)
                } else {
                    tr::EVERYTHING_ALREADY_BUNDLE_NOTHING.get(lang)
                };
                return view! { <p data-testid="nothing-pending">{text}</p> }.into_any();
            }
            let rows = villages
                .iter()
                .map(|v| {
                    view! {
                        <li data-testid="pending-village" data-code=v.code.clone()>
                            <strong>{v.name.clone()}</strong>
                            " "
                            <span class="hint">{v.code.clone()}</span>
                            ": "
                            {counts_text(v, lang)}
                        </li>
                    }
                })
                .collect::<Vec<_>>();
            let total: u32 = villages.iter().map(VillageSummary::total).sum();
            view! {
                <p data-testid="pending-total">
                    {tr::not_yet_sent(lang, total)}
                </p>
                <ul class="plain-list">{rows}</ul>
            }
            .into_any()
        })
    };

    let bundle_rows = move || {
        let lang = lang.get();
        let server = ctx.sync.get() != SyncStatus::NoServer;
        let sending = ctx.sending.get();
        let rows: Vec<Row> = ctx.bundles.with(|bundles| {
            bundles
                .iter()
                .rev()
                .map(|b| Row::of(b, server, sending))
                .collect()
        });
        rows.into_iter()
            .map(|row| view! { <BundleRow row=row lang=lang busy=busy message=message /> })
            .collect::<Vec<_>>()
    };

    view! {
        <section class="stack">
            <div class="card">
                <h2>{t(tr::EXPORT_DATA)}</h2>
                <p class="hint">
                    {t(tr::DATA_LEAVES_PHONE_SIGNED)}
                </p>
                {pending_view}
                {move || message.get().map(|(ok, text)| view! {
                    <p class=if ok { "outcome good" } else { "outcome bad" } role="status" data-testid="export-message">{text}</p>
                })}
                <button
                    type="button"
                    class="primary"
                    data-testid="make-bundle"
                    disabled=move || busy.get() || pending.with(Vec::is_empty)
                    on:click=make
                >
                    {t(tr::MAKE_BUNDLE)}
                </button>
            </div>
            <div class="card" data-testid="sync-card">
                <h2>{t(tr::SEND_OFFICE_SERVER)}</h2>
                <p role="status" data-testid="sync-status" data-status=move || match ctx.sync.get() {
                    SyncStatus::NoServer => "no-server",
                    SyncStatus::Idle => "idle",
                    SyncStatus::Sending => "sending",
                    SyncStatus::Failed(_) => "failed",
                }>
                    {move || ctx.sync.get().message(lang.get())}
                </p>
                {move || ctx.settings.with(|s| s.last_sync).map(|at| view! {
                    <p class="hint" data-testid="last-sync">
                        {t(tr::LAST_REACHED)}
                        {time_text(at, lang.get())}
                    </p>
                })}
                <Show when=move || ctx.sync.get() != SyncStatus::NoServer>
                    <p class="hint">
                        {t(tr::BUNDLES_SENT_THEMSELVES_WHEN)}
                    </p>
                    <button
                        type="button"
                        data-testid="send-now"
                        disabled=move || ctx.sync.get() == SyncStatus::Sending
                        on:click=move |_| crate::sync::probe_and_send(ctx)
                    >
                        {t(tr::SEND_NOW)}
                    </button>
                </Show>
            </div>
            <div class="card">
                <h2>{t(tr::BUNDLES_PHONE)}</h2>
                <Show
                    when=move || ctx.bundles.with(|b| !b.is_empty())
                    fallback=move || view! { <p>{t(tr::NO_BUNDLES_YET)}</p> }
                >
                    <ul class="bundle-list" data-testid="bundle-list">{bundle_rows}</ul>
                </Show>
                <p class="hint">
                    {t(tr::DEVICE_KEY)}
                    <code class="kid" data-testid="export-kid">{move || ctx.kid.get().unwrap_or_default()}</code>
                    " · "
                    <a href="#/pengaturan">{t(tr::ENROL_DISTRICT_OFFICE)}</a>
                </p>
            </div>
        </section>
    }
}

/// What a row shows of a bundle: not the records it carries.
#[derive(Clone)]
struct Row {
    sequence: u64,
    kid: String,
    created_at: Timestamp,
    bytes: u64,
    state: BundleState,
    villages: Vec<VillageSummary>,
    /// Its place in the outbox, when a server is known and it was not
    /// handed in as a file.
    delivery: Option<Delivery>,
    /// Being sent right now.
    sending: bool,
    /// "Tandai sudah diterima kantor" applies.
    may_mark_received: bool,
}

impl Row {
    fn of(info: &BundleInfo, server: bool, sending: Option<u64>) -> Row {
        let delivery = crate::sync::delivery_of(info).filter(|_| server);
        Row {
            sequence: info.sequence,
            kid: info.kid.clone(),
            created_at: info.created_at,
            bytes: info.bytes,
            state: info.state,
            villages: info.villages.clone(),
            may_mark_received: info.may_mark_received(delivery.as_ref()),
            delivery,
            sending: sending == Some(info.sequence),
        }
    }
}

#[component]
fn BundleRow(
    row: Row,
    lang: Lang,
    busy: RwSignal<bool>,
    message: RwSignal<Option<(bool, String)>>,
) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let sequence = row.sequence;
    let name = file_name(&row.kid, sequence);
    let fail = move |text: String| message.set(Some((false, text)));
    // Ok(Some): done, say so; Ok(None): nothing happened (share cancelled).
    let report = move |outcome: Result<Option<String>, String>| {
        message.set(match outcome {
            Ok(done) => done.map(|text| (true, text)),
            Err(text) => Some((false, text)),
        });
        busy.set(false);
    };

    let download = {
        let name = name.clone();
        move |_| {
            let name = name.clone();
            busy.set(true);
            leptos::task::spawn_local(async move {
                let outcome = async {
                    let file = ctx
                        .bundle_file(sequence)
                        .await
                        .map_err(|e| e.message(lang))?;
                    platform::download(&name, &file, MIME)
                        .map_err(|detail| tr::download_failed(lang, &detail))?;
                    ctx.handed_over(sequence)
                        .await
                        .map_err(|e| e.message(lang))?;
                    Ok(Some(tr::downloaded(lang, &name)))
                };
                report(outcome.await);
            });
        }
    };

    let share = {
        let name = name.clone();
        move |_| {
            let name = name.clone();
            busy.set(true);
            leptos::task::spawn_local(async move {
                let outcome = async {
                    let file = ctx
                        .bundle_file(sequence)
                        .await
                        .map_err(|e| e.message(lang))?;
                    match platform::share_file(&name, &file, MIME).await {
                        Shared::Done => {
                            ctx.handed_over(sequence)
                                .await
                                .map_err(|e| e.message(lang))?;
                            Ok(Some(tr::BUNDLE_SHARED.get(lang).to_owned()))
                        }
                        Shared::Cancelled => Ok(None),
                        Shared::Unsupported => {
                            Err(tr::BROWSER_CANNOT_SHARE_FILES.get(lang).to_owned())
                        }
                        Shared::Failed(detail) => Err(tr::sharing_failed(lang, &detail)),
                    }
                };
                report(outcome.await);
            });
        }
    };

    let delivered = move |_| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            if let Err(e) = ctx.mark_bundle(sequence, BundleInfo::received).await {
                fail(e.message(lang));
            }
            busy.set(false);
        });
    };

    let villages = row
        .villages
        .iter()
        .map(|v| view! { <li>{format!("{} ({}): {}", v.name, v.code, counts_text(v, lang))}</li> })
        .collect::<Vec<_>>();
    let records: u32 = row.villages.iter().map(VillageSummary::total).sum();
    let can_share = platform::can_share_files();
    let is_delivered = row.state == BundleState::Delivered;
    let approved = ctx.settings.with_untracked(|s| {
        s.district_state
            .as_ref()
            .is_some_and(|d| d.status == lindung_core::sync::DeviceStatus::Approved)
    });
    let outbox = delivery_label(&row, approved, lang);

    view! {
        <li class="bundle" data-testid="bundle" data-sequence=sequence data-state=match row.state {
            BundleState::Made => "made",
            BundleState::Exported => "exported",
            BundleState::Delivered => "delivered",
        }>
            <h3>
                {tr::bundle_number(lang, sequence)}
            </h3>
            <p class="hint">
                {format!(
                    "{} · {} · {}",
                    long_date(row.created_at.date(), lang),
                    tr::records(lang, records),
                    size_text(row.bytes)
                )}
            </p>
            <ul class="plain-list">{villages}</ul>
            {match outbox {
                Some((key, text)) => view! {
                    <p
                        class=if matches!(key, "delivered" | "awaiting") { "badge funded" } else { "badge waitlisted" }
                        data-testid="delivery"
                        data-delivery=key
                    >
                        {text}
                    </p>
                }
                .into_any(),
                None => view! {
                    <p class=if is_delivered { "badge funded" } else { "badge waitlisted" } data-testid="bundle-state">
                        {state_label(row.state, lang)}
                    </p>
                }
                .into_any(),
            }}
            <div class="actions">
                <button type="button" data-testid="download-bundle" disabled=move || busy.get() on:click=download>
                    {tr::DOWNLOAD.get(lang)}
                </button>
                {can_share.then(|| view! {
                    <button type="button" data-testid="share-bundle" disabled=move || busy.get() on:click=share>
                        {tr::SHARE.get(lang)}
                    </button>
                })}
                {row.may_mark_received.then(|| view! {
                    <button type="button" data-testid="mark-delivered" disabled=move || busy.get() on:click=delivered>
                        {tr::MARK_RECEIVED_OFFICE.get(lang)}
                    </button>
                })}
            </div>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_a_person_says_them() {
        let cases = [
            (0, "0 B"),
            (1023, "1023 B"),
            (1024, "1 kB"),
            (79_302, "78 kB"),
            (1024 * 1024 - 1, "1024 kB"),
            (1024 * 1024, "1.0 MB"),
            (11_800_000, "11.3 MB"),
        ];
        for (bytes, text) in cases {
            assert_eq!(size_text(bytes), text, "{bytes}");
        }
    }
}
