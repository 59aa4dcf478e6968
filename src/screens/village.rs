//! One village: funded slots, the roster (search, filter, sort, paged), the
//! contribution budget, and a printable roster for the village head to sign.

use leptos::prelude::*;
use lindung_core::contribution::{budget, Budget};
use lindung_core::i18n::{long_date, rupiah};
use lindung_core::notes::{village_notes, Note};
use lindung_core::query::{Query, Search, Sort, StatusFilter};
use lindung_core::Lang;

use super::status_badge;
use crate::platform;
use crate::route::Route;
use crate::state::Ctx;
use crate::texts::village as tr;

/// Rows rendered at once (a phone shows about eight); "show more" adds this many.
const PAGE: usize = 20;

/// What a roster row shows: id, name, masked NIK, category code, status.
type Row = (
    lindung_core::RecordId,
    String,
    String,
    String,
    lindung_core::Status,
);

#[component]
pub fn VillageScreen(code: String) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let lang = ctx.lang;
    let t = move |text: crate::text::Tr| crate::text::text(lang, text);
    let code = StoredValue::new(code);
    let village = move || {
        ctx.villages
            .with(|vs| vs.iter().find(|v| v.code == code.get_value()).cloned())
    };
    let counts = move || {
        ctx.workspace
            .with(|ws| ws.roster(&code.get_value()).map(|r| r.counts()))
            .unwrap_or_default()
    };

    // What the district said about this village's records (its last
    // signed device state, kept on the phone).
    let district_notes = Memo::new(move |_| {
        ctx.settings
            .with(|s| {
                s.district_state.as_ref().map(|state| {
                    ctx.workspace
                        .with(|ws| village_notes(state, ws, &code.get_value()))
                })
            })
            .unwrap_or_default()
    });
    let noted = move |id: &lindung_core::RecordId, lang: Lang| {
        district_notes.with(|all| {
            all.iter()
                .find(|(noted, _)| noted == id)
                .map(|(_, notes)| Note::labels(notes, lang))
        })
    };
    let notes_card = move || {
        let lang = lang.get();
        let rows = district_notes.with(|all| {
            ctx.workspace.with(|ws| {
                all.iter()
                    .filter_map(|(id, notes)| {
                        let name = ws.record(id)?.registration().name.clone();
                        let what = Note::labels(notes, lang);
                        Some(view! {
                            <li data-testid="district-note-row">
                                <a href=Route::Record(id.clone()).hash()>{name}</a>": "{what}
                            </li>
                        })
                    })
                    .collect::<Vec<_>>()
            })
        });
        (!rows.is_empty()).then(|| {
            let lead = tr::district_notes_on(lang, rows.len());
            view! {
                <div class="card notice" data-testid="village-district-notes">
                    <h2>{tr::DISTRICT_NOTES.get(lang)}</h2>
                    <p>{lead}</p>
                    <ul class="district-notes">{rows}</ul>
                </div>
            }
        })
    };

    let query = RwSignal::new(Query::default());
    let shown = RwSignal::new(PAGE);
    let printing = RwSignal::new(false);

    // The last search, so that a keystroke that narrows it ("si" after "s") only
    // tries its matches instead of the whole roster (`Search::refine` knows
    // whether the roster changed since).
    let last_search = StoredValue::new(None::<Search>);
    // Per keystroke: the match count, and display rows only for the page shown.
    let results = Memo::new(move |_| {
        let limit = shown.get();
        query.with(|q| {
            ctx.workspace.with(|ws| {
                ws.roster(&code.get_value())
                    .map(|roster| {
                        let search = last_search.with_value(|last| match last {
                            Some(previous) => previous.refine(roster, q),
                            None => Search::run(roster, q),
                        });
                        let rows: Vec<_> = search
                            .rows(roster, limit)
                            .into_iter()
                            .map(|(entry, status)| {
                                let r = entry.registration();
                                (
                                    entry.id().clone(),
                                    r.name.clone(),
                                    r.nik.masked(),
                                    r.category.clone(),
                                    status,
                                )
                            })
                            .collect();
                        let total = search.len();
                        last_search.set_value(Some(search));
                        (total, rows)
                    })
                    .unwrap_or_default()
            })
        })
    });
    let total = move || results.with(|(total, _)| *total);
    // Plain closures over memos instead of `<Show>`: each `<Show>` costs its own
    // copy of the component's code in the binary.
    let known = Memo::new(move |_| village().is_some());
    let more = Memo::new(move |_| total() > shown.get());
    // The list is rebuilt only when the number of rows shown changes.
    let row_count = Memo::new(move |_| results.with(|(_, rows)| rows.len()));

    let set_query = move |apply: fn(&mut Query, String)| {
        move |ev: leptos::ev::Event| {
            let value = event_target_value(&ev);
            query.update(|q| apply(q, value));
            if shown.get_untracked() != PAGE {
                shown.set(PAGE);
            }
        }
    };
    let category_options = move || {
        let lang = lang.get();
        ctx.pack.with(|p| {
            p.segments()
                .iter()
                .flat_map(|s| s.categories.iter())
                .map(|c| view! { <option value=c.code.clone()>{c.name.get(lang).to_owned()}</option> })
                .collect::<Vec<_>>()
        })
    };
    let category_name =
        move |code: &str, lang: Lang| ctx.pack.with(|p| p.category_name(code, lang));

    // Rows by place on the page: a keystroke rewrites the text of the rows whose
    // worker changed instead of removing list items and building new ones.
    let row = move |i: usize| {
        let row = Memo::new(move |_| results.with(|(_, rows)| rows.get(i).cloned()));
        let field = move |f: fn(&Row) -> String| move || row.with(|r| r.as_ref().map(f));
        let meta = move || {
            row.with(|r| {
                r.as_ref().map(|(_, _, masked, category, _)| {
                    format!("{masked} · {}", category_name(category, lang.get()))
                })
            })
        };
        let badge = move || {
            row.with(|r| r.as_ref().map(|r| r.4))
                .map(|status| status_badge(status, lang.get()))
        };
        let note = move || {
            row.with(|r| r.as_ref().and_then(|r| noted(&r.0, lang.get())))
                .map(|label| view! { <span class="badge district-note" data-testid="district-note">{label}</span> })
        };
        view! {
            <li>
                <a class="worker-row" href=field(|r| Route::Record(r.0.clone()).hash()) data-testid="worker-row">
                    <span class="worker-name">{field(|r| r.1.clone())}</span>
                    <span class="worker-meta">{meta}</span>
                    {badge}
                    {note}
                </a>
            </li>
        }
    };

    let summary = move || {
        let lang = lang.get();
        let first_month = ctx.today.first_of_month();
        let result = ctx.workspace.with(|ws| {
            ws.roster(&code.get_value()).map(|roster| {
                ctx.pack.with(|p| {
                    (
                        budget(roster, p, first_month, 1),
                        budget(roster, p, first_month, 12),
                    )
                })
            })
        });
        match result {
            Some((Ok(month), Ok(year))) => {
                view! { <BudgetTable month=month year=year lang=lang /> }.into_any()
            }
            Some((Err(e), _)) | Some((_, Err(e))) => {
                view! { <p class="issue error">{e.message(lang)}</p> }.into_any()
            }
            None => ().into_any(),
        }
    };

    let print = move |_| {
        printing.set(true);
        // Let the full roster render before the dialog opens.
        leptos::task::spawn_local(async move {
            leptos::task::tick().await;
            platform::print();
        });
    };

    view! {
        {move || if !known.get() {
            view! {
                <div class="card notice">{t(tr::VILLAGE_HAS_NOT_BEEN)}
                    " " <a href="#/">{t(tr::BACK)}</a></div>
            }.into_any()
        } else { view! {
            <section class="stack">
                <div class="card">
                    <p class="crumbs"><a href="#/">{t(tr::MY_VILLAGES)}</a></p>
                    <h2 data-testid="village-title">{move || village().map(|v| v.name).unwrap_or_default()}</h2>
                    <p class="hint">{move || village().map(|v| format!("{} · {}", v.code, v.area)).unwrap_or_default()}</p>
                    <div class="counts">
                        <div class="count" data-testid="count-funded">
                            <strong>{move || format!("{} / {}", counts().funded, counts().funded_slots)}</strong>
                            <span>{t(tr::FUNDED_COUNT)}</span>
                        </div>
                        <div class="count" data-testid="count-waitlisted">
                            <strong>{move || counts().waitlisted}</strong>
                            <span>{t(tr::WAITLIST_COUNT)}</span>
                        </div>
                        <div class="count" data-testid="count-apparatus">
                            <strong>{move || counts().apparatus}</strong>
                            <span>{t(tr::APPARATUS_COUNT)}</span>
                        </div>
                    </div>
                    <div class="progress" role="img"
                        aria-label=move || format!("{} / {}", counts().funded, counts().funded_slots)>
                        <div class="progress-bar" style:width=move || {
                            let c = counts();
                            let pct = (c.funded * 100).checked_div(c.funded_slots).unwrap_or(0).min(100);
                            format!("{pct}%")
                        }></div>
                    </div>
                    <a class="button primary" data-testid="register-link" href=move || Route::register_in(&code.get_value()).hash()>
                        {t(tr::REGISTER_WORKER)}
                    </a>
                </div>
                {notes_card}

                <div class="card">
                    <h2>{t(tr::ROSTER)}</h2>
                    <div class="filters">
                        <input type="search" data-testid="roster-search"
                            aria-label=t(tr::SEARCH_NAME_NIK)
                            placeholder=t(tr::SEARCH_NAME_NIK)
                            on:input=set_query(|q, v| q.text = v) />
                        <select data-testid="roster-status" aria-label=t(tr::STATUS)
                            on:change=set_query(|q, v| q.status = StatusFilter::from_code(&v).unwrap_or_default())>
                            <option value="all">{t(tr::ALL_STATUSES)}</option>
                            <option value="funded">{t(tr::FUNDED_OPTION)}</option>
                            <option value="waitlisted">{t(tr::WAITLIST_OPTION)}</option>
                            <option value="apparatus">{t(tr::APPARATUS_OPTION)}</option>
                        </select>
                        <select data-testid="roster-category" aria-label=t(tr::OCCUPATION)
                            on:change=set_query(|q, v| q.category = v)>
                            <option value="">{t(tr::ALL_OCCUPATIONS)}</option>
                            {category_options}
                        </select>
                        <select data-testid="roster-sort" aria-label=t(tr::ORDER)
                            on:change=set_query(|q, v| q.sort = Sort::from_code(&v).unwrap_or_default())>
                            <option value="registered">{t(tr::REGISTRATION_ORDER)}</option>
                            <option value="name">{t(tr::NAME)}</option>
                            <option value="birth_date">{t(tr::DATE_BIRTH)}</option>
                        </select>
                    </div>
                    <p class="hint" data-testid="roster-result-count">
                        {move || tr::people(lang.get(), total())}
                    </p>
                    <ul class="worker-list" data-testid="worker-list">
                        {move || (0..row_count.get()).map(row).collect::<Vec<_>>()}
                    </ul>
                    {move || more.get().then(|| view! {
                        <button type="button" class="secondary" on:click=move |_| shown.update(|n| *n += PAGE)>
                            {t(tr::SHOW_MORE)}
                        </button>
                    })}
                </div>

                <div class="card">
                    <h2>{t(tr::CONTRIBUTIONS)}</h2>
                    {summary}
                </div>

                <div class="card no-print">
                    <button type="button" class="secondary" data-testid="print-roster" on:click=print>
                        {t(tr::PRINT_ROSTER_SIGNING)}
                    </button>
                </div>
                {move || printing.get().then(|| view! { <PrintRoster code=code.get_value() /> })}
            </section>
        }.into_any() }}
    }
}

#[component]
fn BudgetTable(month: Budget, year: Budget, #[prop(into)] lang: Signal<Lang>) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let t = move |text: crate::text::Tr| crate::text::text(lang, text);
    let programmes: Vec<_> = year
        .by_programme()
        .iter()
        .map(|(p, amount)| {
            (
                p.code(),
                month.by_programme().get(p).copied().unwrap_or(0),
                *amount,
            )
        })
        .collect();
    let sources: Vec<_> = year
        .by_funding_source()
        .iter()
        .map(|(code, amount)| {
            (
                code.clone(),
                month.by_funding_source().get(code).copied().unwrap_or(0),
                *amount,
            )
        })
        .collect();
    let funder = move |code: &str| {
        ctx.pack.with(|p| {
            p.funding_source(code)
                .map(|f| f.name.get(lang.get()).to_owned())
                .unwrap_or_else(|| code.to_owned())
        })
    };
    let (paid, from) = (year.paid_registrations(), year.first_month());
    view! {
        <p class="hint">
            {move || {
                let lang = lang.get();
                tr::paid_by_programme(lang, paid, &long_date(from, lang))
            }}
        </p>
        <table class="budget" data-testid="budget">
            <thead>
                <tr><th></th><th>{t(tr::MONTHLY)}</th><th>{t(tr::TWELVE_MONTHS)}</th></tr>
            </thead>
            <tbody>
                <tr class="group"><th colspan="3" scope="rowgroup">{t(tr::PROGRAMME)}</th></tr>
                {programmes.into_iter().map(|(code, m, y)| view! {
                    <tr><th scope="row">{code}</th><td>{rupiah(m)}</td><td>{rupiah(y)}</td></tr>
                }).collect::<Vec<_>>()}
                <tr class="group"><th colspan="3" scope="rowgroup">{t(tr::FUNDING_SOURCE)}</th></tr>
                {sources.into_iter().map(|(code, m, y)| view! {
                    <tr class="by-source"><th scope="row">{move || funder(&code)}</th><td>{rupiah(m)}</td><td>{rupiah(y)}</td></tr>
                }).collect::<Vec<_>>()}
                <tr class="total">
                    <th scope="row">{t(tr::TOTAL)}</th>
                    <td data-testid="budget-month">{rupiah(month.total())}</td>
                    <td data-testid="budget-year">{rupiah(year.total())}</td>
                </tr>
            </tbody>
        </table>
    }
}

/// The whole roster as a table, shown only on paper.
#[component]
fn PrintRoster(code: String) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let lang = ctx.lang.get_untracked();
    let rows = ctx.workspace.with_untracked(|ws| {
        ws.roster(&code)
            .map(|roster| {
                roster
                    .entries()
                    .enumerate()
                    .map(|(i, (entry, status))| {
                        let r = entry.registration();
                        view! {
                            <tr>
                                <td>{i + 1}</td>
                                <td>{r.name.clone()}</td>
                                <td>{r.nik.masked()}</td>
                                <td>{long_date(r.birth_date, lang)}</td>
                                <td>{ctx.pack.with_untracked(|p| p.category_name(&r.category, lang))}</td>
                                <td>{status.label(lang)}</td>
                            </tr>
                        }
                    })
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    });
    let heading = ctx.villages.with_untracked(|vs| {
        vs.iter()
            .find(|v| v.code == code)
            .map(|v| format!("{} ({}) · {}", v.name, v.code, v.area))
            .unwrap_or_else(|| code.clone())
    });
    view! {
        <div class="print-only">
            <h2>{tr::BPJS_KETENAGAKERJAAN_ROSTER.get(lang)}</h2>
            <p>{heading}" · "{long_date(ctx.today, lang)}</p>
            <table class="print-table">
                <thead>
                    <tr>
                        <th>"No"</th>
                        <th>{tr::NAME.get(lang)}</th>
                        <th>"NIK"</th>
                        <th>{tr::DATE_BIRTH.get(lang)}</th>
                        <th>{tr::OCCUPATION.get(lang)}</th>
                        <th>"Status"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            <div class="signatures">
                <p>{tr::VILLAGE_HEAD.get(lang)}<br /><br /><br />"(...........................)"</p>
                <p>{tr::AGENT.get(lang)}<br /><br /><br />{ctx.settings.get_untracked().agent_name}</p>
            </div>
        </div>
    }
}
