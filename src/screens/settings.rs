//! Settings: who the agent is, the language, and the active rule pack
//! (shown with its id, version and citation; another pack can be imported).

use leptos::prelude::*;
use lindung_core::{Lang, RulePack};

use crate::state::Ctx;
use crate::texts::settings as tr;

#[component]
pub fn SettingsScreen() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let lang = ctx.lang;
    let t = move |text: crate::text::Tr| crate::text::text(lang, text);
    let current = ctx.settings.get_untracked();
    let agent_id = RwSignal::new(current.agent_id.clone());
    let agent_name = RwSignal::new(current.agent_name.clone());
    let pack_json = RwSignal::new(String::new());
    let server_url = RwSignal::new(current.server_url.clone().unwrap_or_default());
    let auto_send = RwSignal::new(current.auto_send);
    let message = RwSignal::new(None::<(bool, String)>);
    let space = RwSignal::new(None::<(u64, u64)>);
    #[cfg(target_arch = "wasm32")]
    leptos::task::spawn_local(async move {
        space.set(crate::store::health::estimate().await);
    });

    let save = move |rule_pack: Option<Option<String>>| {
        let mut settings = ctx.settings.get_untracked();
        settings.agent_id = agent_id.get_untracked().trim().to_owned();
        settings.agent_name = agent_name
            .get_untracked()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        settings.lang = lang.get_untracked();
        if let Some(pack) = rule_pack {
            settings.rule_pack = pack;
        }
        leptos::task::spawn_local(async move {
            let lang = lang.get_untracked();
            match ctx.save_settings(settings).await {
                Ok(()) => message.set(Some((true, tr::SAVED.get(lang).to_owned()))),
                Err(e) => message.set(Some((false, e.message(lang)))),
            }
        });
    };
    let save_agent = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let wanted = crate::store::Settings {
            agent_id: agent_id.get_untracked(),
            agent_name: agent_name.get_untracked(),
            ..ctx.settings.get_untracked()
        };
        if !wanted.has_agent() {
            message.set(Some((
                false,
                tr::AGENT_REQUIRED.get(lang.get_untracked()).to_owned(),
            )));
            return;
        }
        save(None);
    };
    let save_server = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let lang = lang.get_untracked();
        let typed = server_url.get_untracked();
        let url = if typed.trim().is_empty() {
            None
        } else {
            match lindung_core::sync::normalize_server_url(&typed) {
                Ok(url) => Some(url),
                Err(_) => {
                    message.set(Some((
                        false,
                        tr::SERVER_ADDRESS_MUST_START.get(lang).to_owned(),
                    )));
                    return;
                }
            }
        };
        let mut settings = ctx.settings.get_untracked();
        settings.server_url = url.clone();
        settings.auto_send = auto_send.get_untracked();
        server_url.set(url.unwrap_or_default());
        leptos::task::spawn_local(async move {
            match ctx.save_settings(settings).await {
                Ok(()) => {
                    message.set(Some((true, tr::SAVED.get(lang).to_owned())));
                    crate::sync::probe_and_send(ctx);
                }
                Err(e) => message.set(Some((false, e.message(lang)))),
            }
        });
    };
    let forget_district = move |_| {
        let lang = lang.get_untracked();
        let mut settings = ctx.settings.get_untracked();
        settings.district_kid = None;
        leptos::task::spawn_local(async move {
            match ctx.save_settings(settings).await {
                Ok(()) => message.set(Some((
                    true,
                    tr::OFFICE_KEY_FORGOTTEN_NEXT.get(lang).to_owned(),
                ))),
                Err(e) => message.set(Some((false, e.message(lang)))),
            }
        });
    };
    let import_pack = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let json = pack_json.get_untracked();
        match RulePack::from_json(&json) {
            Ok(_) => {
                pack_json.set(String::new());
                save(Some(Some(json)));
            }
            Err(problems) => {
                let list = problems
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("\n");
                let lead = tr::RULES_CANNOT_BE_USED.get(lang.get_untracked());
                message.set(Some((false, format!("{lead}\n{list}"))));
            }
        }
    };

    view! {
        <section class="stack">
            {move || message.get().map(|(ok, text)| view! {
                <div class=if ok { "outcome ok" } else { "outcome bad pre" } role="status" data-testid="settings-message">{text}</div>
            })}
            <form class="card" on:submit=save_agent>
                <h2>{t(tr::AGENT)}</h2>
                <div class="field">
                    <label for="agent-name">{t(tr::AGENT_NAME)}</label>
                    <input id="agent-name" data-testid="agent-name" prop:value=move || agent_name.get()
                        on:input=move |ev| agent_name.set(event_target_value(&ev)) />
                </div>
                <div class="field">
                    <label for="agent-id">{t(tr::AGENT_ID)}</label>
                    <input id="agent-id" data-testid="agent-id" prop:value=move || agent_id.get()
                        on:input=move |ev| agent_id.set(event_target_value(&ev)) />
                </div>
                <div class="field">
                    <label for="lang">{t(tr::LANGUAGE)}</label>
                    <select id="lang" data-testid="settings-lang" on:change=move |ev| {
                        if let Some(l) = Lang::from_tag(&event_target_value(&ev)) { lang.set(l) }
                    }>
                        <option value="id" selected=move || lang.get() == Lang::Id>"Bahasa Indonesia"</option>
                        <option value="en" selected=move || lang.get() == Lang::En>"English"</option>
                    </select>
                </div>
                <button type="submit" class="primary" data-testid="save-agent">{t(tr::SAVE)}</button>
            </form>

            <div class="card" data-testid="device-key">
                <h2>{t(tr::DEVICE_KEY)}</h2>
                <p class="hint">
                    {t(tr::BUNDLES_FROM_PHONE_SIGNED)}
                </p>
                {move || match (ctx.kid.get(), ctx.key_error.get()) {
                    (Some(kid), _) => {
                        let qr = crate::qr::svg_path(&kid).map(|(width, path)| view! {
                            <svg class="qr" viewBox=format!("0 0 {width} {width}") role="img"
                                aria-label=tr::QR_CODE_DEVICE_KEY.get(lang.get())
                                shape-rendering="crispEdges" data-testid="kid-qr">
                                <rect width=width height=width fill="#fff" />
                                <path d=path fill="#000" />
                            </svg>
                        });
                        view! {
                            <p><code class="kid" data-testid="kid">{kid}</code></p>
                            {qr}
                        }.into_any()
                    }
                    (None, Some(error)) => view! {
                        <p class="issue error" role="alert" data-testid="key-error">{error.message(lang.get())}</p>
                    }.into_any(),
                    (None, None) => view! {
                        <p>{tr::MAKING_KEY.get(lang.get())}</p>
                    }.into_any(),
                }}
            </div>

            <form class="card" data-testid="server-settings" on:submit=save_server>
                <h2>{t(tr::OFFICE_SERVER)}</h2>
                <p class="hint">
                    {move || match ctx.own_server.get() {
                        Some(_) => tr::APP_OPENED_FROM_OFFICE.get(lang.get()),
                        None => tr::ENTER_OFFICE_ADDRESS.get(lang.get()),
                    }}
                </p>
                <div class="field">
                    <label for="server-url">{t(tr::SERVER_ADDRESS)}</label>
                    <input id="server-url" data-testid="server-url" type="url" inputmode="url"
                        placeholder="https://lindung.kab.go.id"
                        prop:value=move || server_url.get()
                        on:input=move |ev| server_url.set(event_target_value(&ev)) />
                </div>
                <div class="field checkbox">
                    <input id="auto-send" data-testid="auto-send" type="checkbox"
                        prop:checked=move || auto_send.get()
                        on:change=move |ev| auto_send.set(event_target_checked(&ev)) />
                    <label for="auto-send">{t(tr::MAKE_SEND_BUNDLES_THEMSELVES)}</label>
                </div>
                <p data-testid="district-kid">
                    {move || match ctx.settings.with(|s| s.district_kid.clone()) {
                        Some(kid) => view! {
                            {t(tr::TRUSTED_OFFICE_KEY)}
                            <code class="kid">{kid}</code>
                            <span class="hint">{t(tr::COMPARE_WHAT_DISTRICT_INIT)}</span>
                        }.into_any(),
                        None => view! {
                            <span class="hint">{t(tr::NOT_YET_CONNECTED_OFFICE)}</span>
                        }.into_any(),
                    }}
                </p>
                <div class="actions">
                    <button type="submit" class="primary" data-testid="save-server">{t(tr::SAVE)}</button>
                    <Show when=move || ctx.settings.with(|s| s.district_kid.is_some())>
                        <button type="button" class="secondary" data-testid="forget-district" on:click=forget_district>
                            {t(tr::FORGET_OFFICE_KEY)}
                        </button>
                    </Show>
                </div>
            </form>

            <div class="card">
                <h2>{t(tr::STORAGE_DEVICE)}</h2>
                <p data-testid="storage-space">
                    {move || match space.get() {
                        Some((used, quota)) => {
                            let lang = lang.get();
                            tr::storage_used(lang, &megabytes(used, lang), &megabytes(quota, lang))
                        }
                        None => tr::BROWSER_DOES_NOT_REPORT.get(lang.get()).to_owned(),
                    }}
                </p>
                <Show when=move || ctx.not_persistent.with(Option::is_some)>
                    <p class="issue error">{t(tr::DATA_NOT_KEPT_DEVICE)}</p>
                </Show>
            </div>

            <div class="card">
                <h2>{t(tr::ACTIVE_RULES)}</h2>
                {move || ctx.pack.with(|p| {
                    let lang = lang.get();
                    view! {
                        <dl class="nik-info" data-testid="pack-info">
                            <dt>"ID"</dt><dd>{p.id().to_owned()}</dd>
                            <dt>{tr::VERSION.get(lang)}</dt><dd data-testid="pack-version">{p.version().to_owned()}</dd>
                            <dt>{tr::TITLE.get(lang)}</dt><dd>{p.title().get(lang).to_owned()}</dd>
                            <dt>{tr::REGULATION.get(lang)}</dt><dd>{p.regulation().to_owned()}</dd>
                            <dt>{tr::FUNDED_SLOTS_PER_VILLAGE.get(lang)}</dt>
                            <dd data-testid="pack-slots">{p.funded_slots_per_village()}</dd>
                            <dt>{tr::AGE.get(lang)}</dt><dd>{format!("{}-{}", p.age().min, p.age().max)}</dd>
                        </dl>
                    }
                })}
                {move || {
                    let lang = lang.get();
                    let switches = ctx.settings.with(|s| {
                        s.pack_switches
                            .iter()
                            .rev()
                            .map(|w| {
                                let (date, hour, minute) = crate::platform::local_time(w.at);
                                let text = format!(
                                    "{} {hour:02}.{minute:02}: {} {} → {} {} ({})",
                                    lindung_core::i18n::long_date(date, lang),
                                    w.from.id, w.from.version, w.to.id, w.to.version, w.agent_id
                                );
                                view! { <li data-testid="pack-switch">{text}</li> }
                            })
                            .collect::<Vec<_>>()
                    });
                    (!switches.is_empty()).then(|| view! {
                        <h3>{tr::RULES_TAKEN_FROM_OFFICE.get(lang)}</h3>
                        <ul class="history">{switches}</ul>
                    })
                }}
                <form on:submit=import_pack>
                    <div class="field">
                        <label for="pack-json">{t(tr::USE_OTHER_RULES_PASTE)}</label>
                        <textarea id="pack-json" data-testid="pack-json" rows="4" prop:value=move || pack_json.get()
                            on:input=move |ev| pack_json.set(event_target_value(&ev))></textarea>
                    </div>
                    <button type="submit" class="secondary" data-testid="import-pack">{t(tr::USE_THESE_RULES)}</button>
                </form>
                <Show when=move || ctx.settings.with(|s| s.rule_pack.is_some())>
                    <button type="button" class="secondary" on:click=move |_| save(Some(None))>
                        {t(tr::BACK_DEFAULT_RULES)}
                    </button>
                </Show>
            </div>
        </section>
    }
}

/// "1,5 MB" / "1.5 MB".
fn megabytes(bytes: u64, lang: Lang) -> String {
    let tenths = (bytes + 50_000) / 100_000;
    let separator = tr::DECIMAL_SEPARATOR.get(lang);
    format!("{}{separator}{} MB", tenths / 10, tenths % 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn megabytes_in_both_languages() {
        let cases = [
            (0, Lang::Id, "0,0 MB"),
            (1_500_000, Lang::Id, "1,5 MB"),
            (1_500_000, Lang::En, "1.5 MB"),
            (2_049_999, Lang::En, "2.0 MB"),
            (123_456_789_012, Lang::Id, "123456,8 MB"),
        ];
        for (bytes, lang, text) in cases {
            assert_eq!(megabytes(bytes, lang), text);
        }
    }
}
