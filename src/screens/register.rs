//! Registering a new worker in a village, or editing a record: the check form
//! in save mode, with the draft autosaved as the agent types.

use leptos::prelude::*;
use lindung_core::form::Form;
use lindung_core::{DuplicateCheck, RecordId, Registration, RegistrationInput};

use super::status_badge;
use crate::check_form::CheckForm;
use crate::route::Route;
use crate::state::{Ctx, SaveError};
use crate::store::Store;
use crate::texts::form as tr;

/// What the screen says after pressing "Simpan".
#[derive(Clone, Debug, PartialEq)]
enum Outcome {
    None,
    Saved {
        name: String,
        status: Option<lindung_core::Status>,
        /// The village's funded slots, to say when they are all taken.
        funded_slots: u32,
    },
    /// Look-alikes found: the agent must confirm this is someone else.
    Confirm {
        registration: Registration,
        ids: Vec<RecordId>,
    },
    Failed(SaveError),
}

#[component]
pub fn RegisterScreen(
    /// New registration in this village...
    #[prop(optional, into)]
    village: Option<String>,
    /// ...or an edit of this record.
    #[prop(optional)]
    editing: Option<RecordId>,
) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let lang = ctx.lang;
    let t = move |text: crate::text::Tr| crate::text::text(lang, text);

    let existing = editing
        .as_ref()
        .and_then(|id| ctx.workspace.with_untracked(|ws| ws.record(id).cloned()));
    let village = village
        .or_else(|| existing.as_ref().map(|r| r.village().to_owned()))
        .unwrap_or_default();
    let draft_key = match &editing {
        Some(id) => format!("edit:{id}"),
        None => format!("new:{village}"),
    };
    let blank = move || ctx.pack.with_untracked(RegistrationInput::blank);
    let initial = existing
        .as_ref()
        .map(|r| RegistrationInput::from(r.registration()))
        .unwrap_or_else(blank);
    let form = RwSignal::new(Form::restored(initial));
    let reason = RwSignal::new(String::new());
    let saving = RwSignal::new(false);
    let outcome = RwSignal::new(Outcome::None);
    let draft_state = RwSignal::new(None::<bool>);
    let form_key = RwSignal::new(0u32);

    // Restore the draft, then autosave every change. The draft is deleted
    // only after the record itself is stored.
    let restored = RwSignal::new(false);
    let key = StoredValue::new(draft_key);
    leptos::task::spawn_local(async move {
        let store = ctx.store.get_value();
        if let Ok(Some(draft)) = store.draft(&key.get_value()).await {
            form.set(Form::restored(draft));
            form_key.update(|k| *k += 1);
        }
        restored.set(true);
    });
    Effect::new(move |previous: Option<RegistrationInput>| {
        let current = form.with(|f| f.input().clone());
        // Drafts belong to the writing tab: a read-only tab keeps its input in memory.
        if restored.get() && ctx.is_writer() && previous.as_ref().is_some_and(|p| p != &current) {
            let store = ctx.store.get_value();
            let draft = current.clone();
            let empty = draft == blank();
            leptos::task::spawn_local(async move {
                if empty {
                    let _ = store.delete_draft(&key.get_value()).await;
                    draft_state.set(None);
                } else {
                    let ok = store.put_draft(&key.get_value(), &draft).await.is_ok();
                    draft_state.set(Some(ok));
                }
            });
        }
        current
    });

    let village_code = StoredValue::new(village);
    let editing = StoredValue::new(editing);
    let save = move |registration: Registration, duplicates: DuplicateCheck| {
        saving.set(true);
        let name = registration.name.clone();
        leptos::task::spawn_local(async move {
            let result = match editing.get_value() {
                Some(id) => {
                    ctx.edit(id, registration.clone(), reason.get_untracked(), duplicates)
                        .await
                }
                None => {
                    ctx.register(village_code.get_value(), registration.clone(), duplicates)
                        .await
                }
            };
            saving.set(false);
            match result {
                Ok(committed) => {
                    let _ = ctx.store.get_value().delete_draft(&key.get_value()).await;
                    let slots = ctx.workspace.with_untracked(|ws| {
                        ws.roster(&committed.village)
                            .map_or(0, |r| r.funded_slots())
                    });
                    outcome.set(Outcome::Saved {
                        name,
                        status: committed.status,
                        funded_slots: slots,
                    });
                    if editing.get_value().is_some() {
                        ctx.navigate(Route::Record(committed.id));
                    } else {
                        form.set(ctx.pack.with_untracked(Form::blank));
                        form_key.update(|k| *k += 1);
                    }
                }
                Err(SaveError::Refused(lindung_core::ChangeError::PossibleDuplicates(ids))) => {
                    outcome.set(Outcome::Confirm { registration, ids })
                }
                Err(error) => outcome.set(Outcome::Failed(error)),
            }
        });
    };
    let on_save =
        Callback::new(move |registration: Registration| save(registration, DuplicateCheck::Ask));

    // Feedback where the eye is: the agent pressed Simpan at the bottom of
    // the form, and the outcome shows above it, so it is scrolled into view
    // and focused (its role makes screen readers announce it).
    let outcome_slot = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        if outcome.with(|o| matches!(o, Outcome::None)) {
            return;
        }
        // After the frame that shows it (and that rebuilt the blank form
        // below it), so that nothing laid out later moves it away again.
        // The element, not the node ref: an edit leaves this screen at
        // once, and the ref is gone by the next frame.
        if let Some(slot) = outcome_slot.get_untracked() {
            request_animation_frame(move || {
                slot.scroll_into_view();
                let _ = slot.focus();
            });
        }
    });
    let outcome_view = move || {
        let lang = lang.get();
        match outcome.get() {
            Outcome::None => ().into_any(),
            Outcome::Saved {
                name,
                status,
                funded_slots,
            } => {
                let explained =
                    status.and_then(|s| s.waitlist_explained(&name, funded_slots, lang));
                view! {
                    <div class="outcome ok" role="status" data-testid="saved">
                        <strong>{tr::SAVED.get(lang)}</strong>
                        <span>{name}</span>
                        {status.map(|s| status_badge(s, lang))}
                        {explained.map(|text| view! { <p data-testid="waitlist-explained">{text}</p> })}
                    </div>
                }
                .into_any()
            }
            Outcome::Confirm { registration, ids } => {
                let look_alikes = ctx.workspace.with_untracked(|ws| {
                    ids.iter()
                        .filter_map(|id| ws.record(id))
                        .map(|r| {
                            let href = Route::Record(r.id().clone()).hash();
                            view! { <li><a href=href>{r.registration().name.clone()}" · "{r.registration().nik.masked()}</a></li> }
                        })
                        .collect::<Vec<_>>()
                });
                view! {
                    <div class="outcome bad" role="alert" data-testid="possible-duplicate">
                        <strong>{lindung_core::ChangeError::PossibleDuplicates(ids.clone()).message(lang)}</strong>
                        <ul>{look_alikes}</ul>
                        <button type="button" class="primary" data-testid="confirm-different"
                            on:click=move |_| save(registration.clone(), DuplicateCheck::Confirmed)>
                            {tr::DIFFERENT_PERSON_SAVE.get(lang)}
                        </button>
                    </div>
                }
                .into_any()
            }
            Outcome::Failed(error) => {
                let link = match &error {
                    SaveError::Refused(lindung_core::ChangeError::DuplicateNik {
                        existing,
                        ..
                    }) => Some(view! {
                        <a href=Route::Record(existing.clone()).hash() data-testid="existing-record">
                            {tr::SEE_EXISTING_RECORD.get(lang)}
                        </a>
                    }),
                    _ => None,
                };
                view! {
                    <div class="outcome bad" role="alert" data-testid="save-error">
                        <strong>{error.message(lang)}</strong>
                        {link}
                    </div>
                }
                .into_any()
            }
        }
    };

    let is_edit = editing.with_value(Option::is_some);
    let village_name = move || {
        ctx.villages
            .with(|vs| {
                vs.iter()
                    .find(|v| v.code == village_code.get_value())
                    .map(|v| v.name.clone())
            })
            .unwrap_or_else(|| village_code.get_value())
    };

    view! {
        <section class="stack">
            <div class="card">
                <p class="crumbs">
                    <a href=move || Route::village_of(&village_code.get_value()).hash()>{village_name}</a>
                </p>
                <h2>{if is_edit { t(tr::EDIT_RECORD)() } else { t(tr::REGISTER_WORKER)() }}</h2>
                <p class="hint" data-testid="draft-state">
                    {move || match draft_state.get() {
                        Some(true) => tr::DRAFT_KEPT_DEVICE.get(lang.get()),
                        Some(false) => tr::DRAFT_COULD_NOT_KEPT.get(lang.get()),
                        None => "",
                    }}
                </p>
            </div>
            <Show when=move || ctx.settings.with(|s| !s.has_agent())>
                <super::first_run::AgentFirst />
            </Show>
            <div class="outcome-slot" node_ref=outcome_slot tabindex="-1" data-testid="outcome-slot">
                {outcome_view}
            </div>
            <Show when=move || is_edit>
                <div class="card field">
                    <label for="reason">{t(tr::REASON_CHANGE)}</label>
                    <input id="reason" data-testid="reason-input" prop:value=move || reason.get()
                        on:input=move |ev| reason.set(event_target_value(&ev)) />
                </div>
            </Show>
            {move || {
                form_key.track();
                view! {
                    <CheckForm lang=lang pack=ctx.pack today=ctx.today form=form on_save=on_save saving=saving
                        title=tr::PARTICIPANT_DETAILS />
                }
            }}
        </section>
    }
}
