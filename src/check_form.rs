//! The "check a person" form: what the agent copies from the ID card, judged
//! live by `lindung_core::check` against the active rule pack.
//!
//! The form keeps exactly what was typed (a `RegistrationInput`); the
//! verdict is derived from it and never written back into it.

use crate::texts::form as tr;
use leptos::prelude::*;
use lindung_core::form::{Form, FIELDS};
use lindung_core::i18n::{long_date, rupiah};
use lindung_core::registration::{Field, Severity};
use lindung_core::{check, monthly, Date, Lang, Nik, RegionTable, Registration, RulePack};

#[component]
pub fn CheckForm(
    /// The UI language.
    #[prop(into)]
    lang: Signal<Lang>,
    /// The rule pack that judges the input.
    #[prop(into)]
    pack: Signal<RulePack>,
    /// Today, for the NIK's century and the age window.
    today: Date,
    /// What the agent typed and which problems show; the owner may save its
    /// input as a draft. A blank form by default.
    #[prop(optional)]
    form: Option<RwSignal<Form>>,
    /// Save mode: called with the registration when the agent presses "Simpan"
    /// and everything is valid. Without it the form only checks.
    #[prop(optional)]
    on_save: Option<Callback<Registration>>,
    /// True while a save is in flight (the button is disabled).
    #[prop(optional, into)]
    saving: Signal<bool>,
    /// Heading (Indonesian, English); "Periksa calon peserta" by default.
    #[prop(optional)]
    title: Option<crate::text::Tr>,
) -> impl IntoView {
    let title = title.unwrap_or(tr::CHECK_A_PERSON);
    let form = form.unwrap_or_else(|| RwSignal::new(pack.with_untracked(Form::blank)));
    let verdict = Memo::new(move |_| pack.with(|p| form.with(|f| check(f.input(), p, today))));

    let edit = move |field: Field| {
        move |ev: leptos::ev::Event| {
            let value = event_target_value(&ev);
            form.update(|f| f.set(field, value));
        }
    };
    let issues_of = move |field: Field| {
        move || {
            let lang = lang.get();
            form.with(|f| {
                verdict.with(|v| {
                    f.issues(v, field)
                        .into_iter()
                        .map(|i| {
                            let class = match i.severity() {
                                Severity::Error => "issue error",
                                Severity::Warning => "issue warning",
                            };
                            view! {
                                <p class=class data-testid="issue" data-code=i.code() role="alert">
                                    {i.message(lang)}
                                </p>
                            }
                        })
                        .collect::<Vec<_>>()
                })
            })
        }
    };
    let t = move |text: crate::text::Tr| crate::text::text(lang, text);

    // Segments and categories are radio buttons, not selects: a pack's names
    // are sentences ("Pekerja rentan (Bukan Penerima Upah)") that a select on a
    // 360 px phone would cut, and each choice is a full-width tap target.
    let segment_choices = Signal::derive(move || {
        let lang = lang.get();
        pack.with(|p| {
            p.segments()
                .iter()
                .map(|s| (s.code.clone(), s.name.get(lang).to_owned()))
                .collect::<Vec<_>>()
        })
    });
    let category_choices = Signal::derive(move || {
        let lang = lang.get();
        let segment = form.with(|f| f.input().segment.clone());
        pack.with(|p| {
            p.segment(&segment)
                .map(|s| {
                    s.categories
                        .iter()
                        .map(|c| (c.code.clone(), c.name.get(lang).to_owned()))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    let sex_selected = move |code: &'static str| move || form.with(|f| f.input().sex == code);

    let on_check = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.update(Form::submit);
        if let (Some(on_save), Some(registration)) =
            (on_save, verdict.with_untracked(|v| v.registration.clone()))
        {
            on_save.run(registration);
        }
    };

    view! {
        <form class="card check-form" data-testid="issues" novalidate on:submit=on_check>
            <h2>{t(title)}</h2>
            <p class="hint">
                {t(tr::COPY_DETAILS_FROM_ID)}
            </p>

            <div class="field">
                <label for="nik">"NIK"</label>
                <input
                    id="nik"
                    data-testid="nik-input"
                    type="text"
                    inputmode="numeric"
                    autocomplete="off"
                    maxlength="24"
                    placeholder="16 angka"
                    prop:value=move || form.with(|f| f.input().nik.clone())
                    on:input=edit(Field::Nik)
                />
                {issues_of(Field::Nik)}
                {move || verdict.with(|v| v.nik.clone()).map(|nik| view! { <NikInfo nik=nik lang=lang form=form /> })}
            </div>

            <div class="field">
                <label for="name">{t(tr::NAME_ID_CARD)}</label>
                <input
                    id="name"
                    data-testid="name-input"
                    type="text"
                    autocomplete="off"
                    prop:value=move || form.with(|f| f.input().name.clone())
                    on:input=edit(Field::Name)
                />
                {issues_of(Field::Name)}
            </div>

            <div class="row">
                <div class="field">
                    <label for="birth-date">{t(tr::DATE_BIRTH)}</label>
                    <input
                        id="birth-date"
                        data-testid="birth-date-input"
                        type="date"
                        prop:value=move || form.with(|f| f.input().birth_date.clone())
                        on:input=edit(Field::BirthDate)
                        on:change=edit(Field::BirthDate)
                    />
                    {issues_of(Field::BirthDate)}
                </div>
                <div class="field">
                    <label for="sex">{t(tr::SEX)}</label>
                    <select id="sex" data-testid="sex-select" on:change=edit(Field::Sex)>
                        <option value="" selected=sex_selected("")>{t(tr::CHOOSE)}</option>
                        <option value="M" selected=sex_selected("M")>{t(tr::MALE)}</option>
                        <option value="F" selected=sex_selected("F")>{t(tr::FEMALE)}</option>
                    </select>
                    {issues_of(Field::Sex)}
                </div>
            </div>

            <Choices
                name="segment"
                legend=t(tr::MEMBERSHIP)
                choices=segment_choices
                chosen=Signal::derive(move || form.with(|f| f.input().segment.clone()))
                on_choose=Callback::new(move |code: String| form.update(|f| f.set(Field::Segment, code)))
            />
            {issues_of(Field::Segment)}

            <Choices
                name="category"
                legend=t(tr::OCCUPATION_POSITION)
                choices=category_choices
                chosen=Signal::derive(move || form.with(|f| f.input().category.clone()))
                on_choose=Callback::new(move |code: String| form.update(|f| f.set(Field::Category, code)))
            />
            {issues_of(Field::Category)}

            <button type="submit" class="primary" data-testid="check-button" disabled=move || saving.get()>
                {move || match (on_save.is_some(), saving.get()) {
                    (false, _) => t(tr::CHECK)(),
                    (true, false) => t(tr::SAVE)(),
                    (true, true) => t(tr::SAVING)(),
                }}
            </button>
            <Outcome verdict=verdict form=form lang=lang pack=pack today=today />
        </form>
    }
}

/// One choice among a few, as radio buttons with their whole names: a
/// fieldset with a legend, each option a label at least 44 px high
/// (`data-testid` `{name}-{code}`). One component for both of the form's
/// choices keeps the WebAssembly small.
#[component]
fn Choices(
    name: &'static str,
    legend: impl Fn() -> &'static str + Send + Sync + 'static,
    choices: Signal<Vec<(String, String)>>,
    chosen: Signal<String>,
    on_choose: Callback<String>,
) -> impl IntoView {
    view! {
        <fieldset class="field choices" data-testid=format!("{name}-choices")>
            <legend>{legend}</legend>
            {move || {
                choices
                    .get()
                    .into_iter()
                    .map(|(code, label)| {
                        let value = code.clone();
                        let is_chosen = {
                            let code = code.clone();
                            move || chosen.with(|c| c == &code)
                        };
                        view! {
                            <label class="choice">
                                <input
                                    type="radio"
                                    name=name
                                    value=code.clone()
                                    data-testid=format!("{name}-{code}")
                                    prop:checked=is_chosen
                                    on:change=move |_| on_choose.run(value.clone())
                                />
                                <span>{label}</span>
                            </label>
                        }
                    })
                    .collect::<Vec<_>>()
            }}
        </fieldset>
    }
}

/// What a valid NIK encodes: birth date, sex and where it was issued.
#[component]
fn NikInfo(nik: Nik, #[prop(into)] lang: Signal<Lang>, form: RwSignal<Form>) -> impl IntoView {
    // One tap takes what the NIK encodes, once the agent has checked the
    // ID card; a disagreement left as typed is still refused below.
    let differs = {
        let nik = nik.clone();
        move || form.with(|f| f.input().differs_from_nik(&nik))
    };
    let take = {
        let nik = nik.clone();
        move |_| form.update(|f| f.take_from_nik(&nik))
    };
    let sentence = {
        let nik = nik.clone();
        move || lindung_core::registration::nik_sentence(&nik, lang.get())
    };
    let table = RegionTable::kemendagri();
    let province = table.province_name(nik.province()).unwrap_or_default();
    let regency = table.regency_name(&nik.as_str()[..4]).map(str::to_owned);
    let district = nik.as_str()[..6].to_owned();
    let birth = nik.birth_date();
    let sex = nik.sex();
    view! {
        <p class="nik-sentence" data-testid="nik-sentence">{sentence}</p>
        {move || differs().then(|| view! {
            <button type="button" class="secondary" data-testid="take-from-nik" on:click=take.clone()>
                {crate::text::text(lang, tr::ID_CARD_USE_DATE)}
            </button>
        })}
        <dl class="nik-info" data-testid="nik-info">
            <dt>{crate::text::text(lang, tr::DATE_BIRTH)}</dt>
            <dd data-testid="nik-birth-date">{move || long_date(birth, lang.get())}</dd>
            <dt>{crate::text::text(lang, tr::SEX)}</dt>
            <dd data-testid="nik-sex">{move || sex.label(lang.get())}</dd>
            <dt>{crate::text::text(lang, tr::WHERE_NIK_ISSUED)}</dt>
            <dd data-testid="nik-region">
                {province}
                {regency.map(|r| format!(", {r}"))}
                {move || format!(" ({} {district})", tr::DISTRICT.get(lang.get()))}
            </dd>
        </dl>
    }
}

/// The overall result, once the agent asks for it or everything is filled.
#[component]
fn Outcome(
    verdict: Memo<lindung_core::Verdict>,
    form: RwSignal<Form>,
    #[prop(into)] lang: Signal<Lang>,
    pack: Signal<RulePack>,
    today: Date,
) -> impl IntoView {
    move || {
        let lang = lang.get();
        let all_touched = form.with(|f| FIELDS.iter().all(|field| f.shows(*field)));
        verdict.with(|v| match &v.registration {
            Some(registration) => {
                let (segment, category) = pack.with(|p| {
                    let segment = p.segment(&registration.segment);
                    (
                        segment.map(|s| s.name.get(lang).to_owned()).unwrap_or_default(),
                        segment
                            .and_then(|s| s.category(&registration.category))
                            .map(|c| c.name.get(lang).to_owned())
                            .unwrap_or_default(),
                    )
                });
                let age = registration.birth_date.age_on(today);
                let (contribution, funder) = pack.with(|p| {
                    let contribution = match monthly(registration, p, today) {
                        Ok(c) => {
                            let lines = c
                                .lines()
                                .iter()
                                .map(|l| format!("{} {}", l.programme().code(), rupiah(l.net())))
                                .collect::<Vec<_>>()
                                .join(" + ");
                            tr::contribution(lang, &rupiah(c.total()), &lines)
                        }
                        Err(e) => e.message(lang),
                    };
                    let funder = p
                        .funding_source(&registration.funding_source)
                        .map(|f| f.name.get(lang).to_owned())
                        .unwrap_or_default();
                    (contribution, funder)
                });
                Some(view! {
                    <div class="outcome ok" data-testid="outcome" data-eligible="true" role="status">
                        <strong>{tr::ELIGIBLE.get(lang)}</strong>
                        <span>{format!("{segment}: {category}, {age} {}", tr::YEARS.get(lang))}</span>
                        <span data-testid="contribution">{contribution}</span>
                        <span>{format!("{}: {funder}", tr::PAID_FROM.get(lang))}</span>
                    </div>
                }
                .into_any())
            }
            None if all_touched => {
                let count = v.errors().count();
                Some(view! {
                    <div class="outcome bad" data-testid="outcome" data-eligible="false" role="status">
                        <strong>
                            {tr::things_to_fix(lang, count)}
                        </strong>
                    </div>
                }
                .into_any())
            }
            None => None,
        })
    }
}
