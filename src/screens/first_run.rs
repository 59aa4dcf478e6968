//! The first thing a new phone asks: who the agent is. Every registration
//! and bundle records its agent, so Home and the registration form ask for
//! the name and id before anything else, where the agent already is (no
//! trip to Pengaturan).

use leptos::prelude::*;

use crate::state::Ctx;
use crate::texts::home as tr;

#[component]
pub fn AgentFirst() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let lang = ctx.lang;
    let t = move |text: crate::text::Tr| crate::text::text(lang, text);
    let name = RwSignal::new(String::new());
    let id = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut settings = ctx.settings.get_untracked();
        settings.agent_name = name.get_untracked().trim().to_owned();
        settings.agent_id = id.get_untracked().trim().to_owned();
        let lang = lang.get_untracked();
        if !settings.has_agent() {
            problem.set(Some(tr::AGENT_REQUIRED.get(lang).to_owned()));
            return;
        }
        leptos::task::spawn_local(async move {
            // Saved, the card goes: Home and the form are the agent's now.
            if let Err(error) = ctx.save_settings(settings).await {
                problem.set(Some(error.message(lang)));
            }
        });
    };
    view! {
        <form class="card notice" data-testid="agent-missing" on:submit=save>
            <h2>{t(tr::WHO_AGENT)}</h2>
            <p>{t(tr::FIRST_ENTER_AGENT)}</p>
            <div class="field">
                <label for="first-agent-name">{t(tr::AGENT_NAME)}</label>
                <input id="first-agent-name" data-testid="first-agent-name" autocomplete="name"
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
            </div>
            <div class="field">
                <label for="first-agent-id">{t(tr::AGENT_ID)}</label>
                <input id="first-agent-id" data-testid="first-agent-id"
                    prop:value=move || id.get() on:input=move |ev| id.set(event_target_value(&ev)) />
            </div>
            {move || problem.get().map(|text| view! { <p class="issue error" role="alert" data-testid="first-agent-problem">{text}</p> })}
            <button type="submit" class="primary" data-testid="first-agent-save">{t(tr::SAVE)}</button>
        </form>
    }
}
