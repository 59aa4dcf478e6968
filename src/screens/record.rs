//! One record: what was registered, its status, its history, and removal
//! with a reason (which may promote the first waitlisted worker).

use leptos::prelude::*;
use lindung_core::i18n::long_date;
use lindung_core::record::Action;
use lindung_core::RecordId;

use super::status_badge;
use crate::route::Route;
use crate::state::Ctx;
use crate::texts::record as tr;

#[component]
pub fn RecordScreen(id: RecordId) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let lang = ctx.lang;
    let t = move |text: crate::text::Tr| crate::text::text(lang, text);
    let id = StoredValue::new(id);
    let record = move || ctx.workspace.with(|ws| ws.record(&id.get_value()).cloned());
    let status = move || {
        ctx.workspace.with(|ws| {
            let record = ws.record(&id.get_value())?;
            ws.roster(record.village())?.status(record.id())
        })
    };
    // What the district said about this record, if anything.
    let notes = move || {
        ctx.settings.with(|s| {
            let state = s.district_state.as_ref()?;
            ctx.workspace.with(|ws| {
                let record = ws.record(&id.get_value())?;
                let status = ws.roster(record.village())?.status(record.id())?;
                let notes = lindung_core::notes::notes_for(
                    state,
                    record.village(),
                    record.id().as_str(),
                    record.revision(),
                    status,
                );
                (!notes.is_empty()).then_some(notes)
            })
        })
    };
    let notes_card = move || {
        let lang = lang.get();
        notes().map(|notes| {
            let items = notes
                .iter()
                .map(|note| {
                    let lines = note
                        .messages(lang)
                        .into_iter()
                        .map(|line| view! { <li>{line}</li> })
                        .collect::<Vec<_>>();
                    view! {
                        <h3>{note.label(lang)}</h3>
                        <ul>{lines}</ul>
                    }
                })
                .collect::<Vec<_>>();
            view! {
                <div class="card notice" data-testid="district-notes">
                    <h2>{tr::DISTRICT_NOTES.get(lang)}</h2>
                    {items}
                </div>
            }
        })
    };
    // The full NIK only on request (two people of a village can share a
    // masked one; the agent checks it against the KTP), hidden again on
    // leaving the screen.
    let full_nik = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let message = RwSignal::new(None::<(bool, String)>);
    let saving = RwSignal::new(false);

    // Removal takes two steps: the form asks, naming who would move up
    // from the waitlist; only "Ya, hapus" removes.
    let confirming = RwSignal::new(false);
    let ask = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        message.set(None);
        match ctx.check_remove(&id.get_value(), &reason.get_untracked()) {
            Ok(()) => confirming.set(true),
            Err(error) => message.set(Some((false, error.message(lang.get_untracked())))),
        }
    };
    let question = move || {
        let lang = lang.get();
        ctx.workspace.with(|ws| {
            let record = ws.record(&id.get_value())?;
            let name = record.registration().name.clone();
            let promoted = ws
                .roster(record.village())?
                .promoted_if_removed(record.id())
                .and_then(|p| ws.record(&p).map(|r| r.registration().name.clone()));
            Some(match promoted {
                None => tr::remove_whom(lang, &name),
                Some(next) => tr::remove_whom_promoting(lang, &name, &next),
            })
        })
    };
    let remove = move |_| {
        confirming.set(false);
        saving.set(true);
        leptos::task::spawn_local(async move {
            let lang = lang.get_untracked();
            let result = ctx.remove(id.get_value(), reason.get_untracked()).await;
            saving.set(false);
            match result {
                Ok(committed) => {
                    let promoted: Vec<String> = ctx.workspace.with_untracked(|ws| {
                        committed
                            .changes
                            .promoted
                            .iter()
                            .filter_map(|p| ws.record(p).map(|r| r.registration().name.clone()))
                            .collect()
                    });
                    let text = if promoted.is_empty() {
                        tr::REMOVED_FROM_ROSTER.get(lang).to_owned()
                    } else {
                        tr::removed_promoting(lang, &promoted.join(", "))
                    };
                    message.set(Some((true, text)));
                }
                Err(error) => message.set(Some((false, error.message(lang)))),
            }
        });
    };

    let body = move || {
        let lang = lang.get();
        let Some(record) = record() else {
            return view! { <div class="card notice">{tr::RECORD_NOT_FOUND.get(lang)}</div> }
                .into_any();
        };
        let r = record.registration().clone();
        let category = ctx.pack.with(|p| p.category_name(&r.category, lang));
        let history = record
            .history()
            .iter()
            .rev()
            .map(|h| {
                let action = match h.action {
                    Action::Create => tr::REGISTERED.get(lang),
                    Action::Edit => tr::EDITED.get(lang),
                    Action::Remove => tr::REMOVED.get(lang),
                };
                let fields = if h.fields.is_empty() {
                    String::new()
                } else {
                    format!(
                        " ({})",
                        lindung_core::registration::Field::labels_of(&h.fields, lang)
                    )
                };
                let why = h
                    .reason
                    .clone()
                    .map(|r| format!(" — {r}"))
                    .unwrap_or_default();
                view! {
                    <li data-testid="history-entry">
                        <strong>{format!("{action}{fields}")}</strong>
                        {format!(" · {} · {}{why}", long_date(h.at.date(), lang), h.agent.name)}
                    </li>
                }
            })
            .collect::<Vec<_>>();
        let active = record.is_active();
        let village = record.village().to_owned();
        view! {
            <div class="card">
                <p class="crumbs"><a href=Route::village_of(&village).hash()>{village.clone()}</a></p>
                <h2 data-testid="record-name">{r.name.clone()}</h2>
                <p>{move || status().map(|s| status_badge(s, lang))}
                    {(!active).then(|| view! { <span class="badge removed" data-status="removed">{tr::REMOVED.get(lang)}</span> })}
                </p>
                <dl class="nik-info">
                    <dt>"NIK"</dt>
                    <dd>
                        <span data-testid="record-nik">{
                            let (masked, full) = (r.nik.masked(), r.nik.as_str().to_owned());
                            move || if full_nik.get() { full.clone() } else { masked.clone() }
                        }</span>
                        " "
                        <button type="button" class="secondary small" data-testid="show-nik"
                            aria-pressed=move || full_nik.get().to_string()
                            on:click=move |_| full_nik.update(|shown| *shown = !*shown)>
                            {move || if full_nik.get() {
                                tr::HIDE.get(lang)
                            } else {
                                tr::SHOW_FULL_NIK.get(lang)
                            }}
                        </button>
                    </dd>
                    <dt>{tr::DATE_BIRTH.get(lang)}</dt><dd>{long_date(r.birth_date, lang)}</dd>
                    <dt>{tr::SEX.get(lang)}</dt><dd>{r.sex.label(lang)}</dd>
                    <dt>{tr::OCCUPATION.get(lang)}</dt><dd>{category}</dd>
                    <dt>{tr::RULES.get(lang)}</dt><dd>{format!("{} {}", r.pack.id, r.pack.version)}</dd>
                </dl>
                {active.then(|| view! {
                    <a class="button secondary" data-testid="edit-link" href=Route::Edit(record.id().clone()).hash()>
                        {tr::EDIT.get(lang)}
                    </a>
                })}
            </div>
            <div class="card">
                <h2>{tr::HISTORY.get(lang)}</h2>
                <ul class="history">{history}</ul>
            </div>
            {active.then(|| view! {
                <form class="card" on:submit=ask data-testid="remove-form">
                    <h2>{tr::REMOVE_FROM_ROSTER.get(lang)}</h2>
                    <div class="field">
                        <label for="remove-reason">{tr::REASON_REQUIRED.get(lang)}</label>
                        <input id="remove-reason" data-testid="remove-reason" prop:value=move || reason.get()
                            on:input=move |ev| { reason.set(event_target_value(&ev)); confirming.set(false); } />
                    </div>
                    {move || if confirming.get() {
                        view! {
                            <div class="outcome warn" role="alert" data-testid="remove-question">
                                <p>{question}</p>
                                <div class="actions">
                                    <button type="button" class="danger" data-testid="remove-confirm"
                                        on:click=remove disabled=move || saving.get()>
                                        {tr::YES_REMOVE.get(lang)}
                                    </button>
                                    <button type="button" class="secondary" data-testid="remove-cancel"
                                        on:click=move |_| confirming.set(false)>
                                        {tr::CANCEL.get(lang)}
                                    </button>
                                </div>
                            </div>
                        }.into_any()
                    } else {
                        view! {
                            <button type="submit" class="danger" data-testid="remove-button" disabled=move || saving.get()>
                                {tr::REMOVE.get(lang)}
                            </button>
                        }.into_any()
                    }}
                </form>
            })}
        }
        .into_any()
    };

    view! {
        <section class="stack">
            {move || message.get().map(|(ok, text)| view! {
                <div class=if ok { "outcome ok" } else { "outcome bad" } role="status" data-testid="record-message">{text}</div>
            })}
            {notes_card}
            {body}
            <p><a href="#/">{t(tr::MY_VILLAGES)}</a></p>
        </section>
    }
}
