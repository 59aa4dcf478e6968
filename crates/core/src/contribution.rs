//! Contributions and budgets: what a registration costs a month, and what a
//! village's roster costs the programme over a period.
//!
//! All amounts are whole rupiah (`i64`); no floats anywhere. Rates, bases and
//! discounts come from the rule pack, evaluated on the first day of the month.
//! The base is the schedule's amount for no declared income (the lowest BPU
//! income band, or the PU default wage): registrations carry no declared
//! income yet.
//!
//! Rounding, in this order:
//! 1. Each programme's gross amount is computed on its own: a flat amount as
//!    is, or `base × basis_points / 10 000` rounded half up to whole rupiah
//!    (JKK 0.24% of Rp1,234,567 = 2,962.96 → Rp2,963; 0.30% of Rp1,000,500 =
//!    3,001.5 → Rp3,002).
//! 2. A discount takes its basis points of that rounded gross amount; the
//!    reduction is itself rounded half up (50% of Rp2,401 = 1,200.5 → Rp1,201,
//!    so Rp1,200 is paid).
//! 3. The month's total is the sum of the rounded lines; a budget is the sum
//!    of the monthly totals.
//!
//! Discounts do not stack: per programme, the applicable discount with the
//! most basis points applies (the first in the pack on a tie). A discount
//! applies when the registration's segment is one of its segments, its
//! category is one of its categories (or it names none), the programme is
//! one of its programmes, the month's first day is in its period, and the
//! registration's funding source is not excluded.

use std::collections::BTreeMap;

use crate::date::Date;
use crate::i18n::{long_date, Lang};
use crate::registration::Registration;
use crate::roster::Roster;
use crate::rulepack::{Discount, Programme, ProgrammeRate, RulePack};

/// One programme's contribution for one month.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    programme: Programme,
    gross: i64,
    discount: i64,
    discount_id: Option<String>,
    net: i64,
}

impl Line {
    pub fn programme(&self) -> Programme {
        self.programme
    }

    /// Before any discount.
    pub fn gross(&self) -> i64 {
        self.gross
    }

    /// The reduction (0 without a discount).
    pub fn discount(&self) -> i64 {
        self.discount
    }

    /// Which of the pack's discounts applied.
    pub fn discount_id(&self) -> Option<&str> {
        self.discount_id.as_deref()
    }

    /// What is paid: gross minus discount.
    pub fn net(&self) -> i64 {
        self.net
    }
}

/// A registration's contribution for one month: one line per programme it
/// pays (mandatory ones, and JHT if opted in), in programme order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contribution {
    month: Date,
    lines: Vec<Line>,
    total: i64,
}

impl Contribution {
    /// The first day of the month.
    pub fn month(&self) -> Date {
        self.month
    }

    pub fn lines(&self) -> &[Line] {
        &self.lines
    }

    pub fn line(&self, programme: Programme) -> Option<&Line> {
        self.lines.iter().find(|l| l.programme == programme)
    }

    /// Sum of the lines' net amounts.
    pub fn total(&self) -> i64 {
        self.total
    }
}

/// Why a contribution cannot be computed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ContributionError {
    /// The pack has no rate schedule for the segment on the month's first day.
    NoRates { segment: String, month: Date },
}

impl ContributionError {
    pub fn code(&self) -> &'static str {
        match self {
            ContributionError::NoRates { .. } => "contribution.no_rates",
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        match self {
            ContributionError::NoRates { segment, month } => match lang {
                Lang::Id => format!(
                    "Aturan yang berlaku tidak memuat tarif iuran {segment} untuk bulan {}.",
                    month_label(*month, lang)
                ),
                Lang::En => format!(
                    "The active rules have no {segment} contribution rates for {}.",
                    month_label(*month, lang)
                ),
            },
        }
    }
}

/// "Mei 2026" / "May 2026".
fn month_label(month: Date, lang: Lang) -> String {
    let long = long_date(month.first_of_month(), lang);
    long.split_once(' ')
        .map_or(long.clone(), |(_, rest)| rest.to_owned())
}

/// The contribution of `registration` for the month containing `month`.
pub fn monthly(
    registration: &Registration,
    pack: &RulePack,
    month: Date,
) -> Result<Contribution, ContributionError> {
    let month = month.first_of_month();
    let schedule =
        pack.rates_on(&registration.segment, month)
            .ok_or_else(|| ContributionError::NoRates {
                segment: registration.segment.clone(),
                month,
            })?;
    let base = schedule.base.amount(None);
    let lines: Vec<Line> = schedule
        .programmes
        .iter()
        .filter(|(_, rate)| !rate.optional || registration.with_jht)
        .map(|(&programme, rate)| {
            let gross = gross_amount(rate, base);
            let best = best_discount(pack.discounts(), registration, programme, month);
            let discount = best.map_or(0, |d| share(gross, d.basis_points));
            Line {
                programme,
                gross,
                discount,
                discount_id: best.map(|d| d.id.clone()),
                net: gross - discount,
            }
        })
        .collect();
    let total = lines.iter().map(|l| l.net).sum();
    Ok(Contribution {
        month,
        lines,
        total,
    })
}

/// A flat amount, or the basis points' share of the base.
fn gross_amount(rate: &ProgrammeRate, base: i64) -> i64 {
    // A valid pack gives exactly one of the two.
    match (rate.basis_points, rate.flat) {
        (Some(basis_points), _) => share(base, basis_points),
        (None, flat) => flat.unwrap_or(0),
    }
}

/// The applicable discount with the most basis points (the first on a tie).
fn best_discount<'a>(
    discounts: &'a [Discount],
    registration: &Registration,
    programme: Programme,
    month: Date,
) -> Option<&'a Discount> {
    discounts
        .iter()
        .filter(|d| {
            d.segments.contains(&registration.segment)
                && (d.categories.is_empty() || d.categories.contains(&registration.category))
                && d.programmes.contains(&programme)
                && d.period.contains(month)
                && !d
                    .excluded_funding_sources
                    .contains(&registration.funding_source)
        })
        .fold(None, |best: Option<&Discount>, d| match best {
            Some(b) if b.basis_points >= d.basis_points => Some(b),
            _ => Some(d),
        })
}

/// `amount × basis_points / 10 000`, rounded half up (half away from zero
/// for negative amounts), computed in `i128` so it cannot overflow.
fn share(amount: i64, basis_points: u32) -> i64 {
    let product = i128::from(amount) * i128::from(basis_points);
    let rounded = if product >= 0 {
        (product + 5_000) / 10_000
    } else {
        (product - 5_000) / 10_000
    };
    // |rounded| ≤ |amount| × basis_points / 10 000, and packs cap basis
    // points at 10 000, so this fits; saturate rather than wrap otherwise.
    i64::try_from(rounded).unwrap_or(if rounded > 0 { i64::MAX } else { i64::MIN })
}

/// What a village's roster costs the programme over consecutive months.
/// Only registrations the programme pays are counted: funded workers and
/// apparatus, not the waitlist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Budget {
    first_month: Date,
    months: u32,
    by_programme: BTreeMap<Programme, i64>,
    by_funding_source: BTreeMap<String, i64>,
    per_month: Vec<(Date, i64)>,
    total: i64,
    paid_registrations: u32,
}

impl Budget {
    /// The first day of the first month.
    pub fn first_month(&self) -> Date {
        self.first_month
    }

    pub fn months(&self) -> u32 {
        self.months
    }

    /// Net amounts per programme, over the whole period.
    pub fn by_programme(&self) -> &BTreeMap<Programme, i64> {
        &self.by_programme
    }

    /// Net amounts per funding source code, over the whole period.
    pub fn by_funding_source(&self) -> &BTreeMap<String, i64> {
        &self.by_funding_source
    }

    /// Each month's first day and total, in order.
    pub fn per_month(&self) -> &[(Date, i64)] {
        &self.per_month
    }

    pub fn total(&self) -> i64 {
        self.total
    }

    /// How many registrations are paid for (funded and apparatus).
    pub fn paid_registrations(&self) -> u32 {
        self.paid_registrations
    }
}

/// The budget of `roster` for `months` months from the month containing
/// `first_month`, statuses as they are now.
pub fn budget(
    roster: &Roster,
    pack: &RulePack,
    first_month: Date,
    months: u32,
) -> Result<Budget, ContributionError> {
    let first_month = first_month.first_of_month();
    let paid: Vec<&Registration> = roster
        .entries()
        .filter(|(_, status)| status.is_paid())
        .map(|(entry, _)| entry.registration())
        .collect();
    let mut budget = Budget {
        first_month,
        months,
        by_programme: BTreeMap::new(),
        by_funding_source: BTreeMap::new(),
        per_month: Vec::new(),
        total: 0,
        paid_registrations: paid.len() as u32,
    };
    for offset in 0..months {
        let month = first_month.add_months(offset as i32);
        let mut month_total = 0;
        for registration in &paid {
            let contribution = monthly(registration, pack, month)?;
            for line in contribution.lines() {
                *budget.by_programme.entry(line.programme).or_insert(0) += line.net;
            }
            *budget
                .by_funding_source
                .entry(registration.funding_source.clone())
                .or_insert(0) += contribution.total;
            month_total += contribution.total;
        }
        budget.per_month.push((month, month_total));
        budget.total += month_total;
    }
    Ok(budget)
}

/// What `roster` costs the programme in the month containing `month`.
pub fn monthly_total(
    roster: &Roster,
    pack: &RulePack,
    month: Date,
) -> Result<i64, ContributionError> {
    budget(roster, pack, month, 1).map(|b| b.total)
}

/// The budget for 12 months from the month containing `first_month`.
pub fn yearly(
    roster: &Roster,
    pack: &RulePack,
    first_month: Date,
) -> Result<Budget, ContributionError> {
    budget(roster, pack, first_month, 12)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registration::{check as check_registration, RegistrationInput};
    use crate::roster::{DuplicateCheck, RecordId, Roster, VillageRef};
    use Programme::{Jht, Jkk, Jkm};

    fn d(text: &str) -> Date {
        Date::parse_iso(text).unwrap()
    }

    fn default_json() -> serde_json::Value {
        serde_json::from_str(&RulePack::default_pack().to_json_pretty()).unwrap()
    }

    /// The default pack, edited.
    fn pack_with(edit: impl FnOnce(&mut serde_json::Value)) -> RulePack {
        let mut doc = default_json();
        edit(&mut doc);
        RulePack::from_json(&doc.to_string()).unwrap()
    }

    /// What a registration is about, for contributions.
    #[derive(Clone, Copy)]
    struct Who {
        segment: &'static str,
        category: &'static str,
        funding: &'static str,
        jht: bool,
    }

    const fn who(segment: &'static str, category: &'static str, funding: &'static str) -> Who {
        Who {
            segment,
            category,
            funding,
            jht: false,
        }
    }

    const fn with_jht(who: Who) -> Who {
        Who { jht: true, ..who }
    }

    /// A real registration (checked against `pack` on 2026-11-21) of a
    /// made-up man born 5 Feb 1987, NIK serial `serial`.
    fn register(who: Who, serial: u32, pack: &RulePack) -> Registration {
        let input = RegistrationInput {
            nik: format!("610701050287{serial:04}"),
            name: format!(
                "Warga {}",
                "Budi Eko Agus Hadi Joko"
                    .split(' ')
                    .nth(serial as usize % 5)
                    .unwrap()
            ),
            birth_date: "1987-02-05".into(),
            sex: "M".into(),
            segment: who.segment.into(),
            category: who.category.into(),
            funding_source: who.funding.into(),
            with_jht: who.jht,
        };
        let verdict = check_registration(&input, pack, d("2026-11-21"));
        verdict
            .registration
            .unwrap_or_else(|| panic!("{input:?}: {:?}", verdict.issues))
    }

    /// `(programme, gross, discount, discount id, net)`
    type Expected = (Programme, i64, i64, Option<&'static str>, i64);

    /// Checks every line and the total of `who`'s contribution in `month`.
    fn check(pack: &RulePack, who: Who, month: &str, lines: &[Expected], total: i64) {
        let registration = register(who, 1, pack);
        let contribution = monthly(&registration, pack, d(month)).unwrap();
        let got: Vec<(Programme, i64, i64, Option<&str>, i64)> = contribution
            .lines()
            .iter()
            .map(|l| {
                (
                    l.programme(),
                    l.gross(),
                    l.discount(),
                    l.discount_id(),
                    l.net(),
                )
            })
            .collect();
        let label = format!(
            "{} {} {} jht={} {month}",
            who.segment, who.category, who.funding, who.jht
        );
        assert_eq!(got, lines, "{label}");
        assert_eq!(contribution.total(), total, "{label}");
        assert_eq!(contribution.month(), d(month).first_of_month(), "{label}");
        let sum: i64 = contribution.lines().iter().map(Line::net).sum();
        assert_eq!(sum, total, "{label}");
        for line in contribution.lines() {
            assert_eq!(line.net(), line.gross() - line.discount(), "{label}");
        }
    }

    const BPU_APBD: Who = who("BPU", "petani", "APBD");
    const BPU_APBDES: Who = who("BPU", "petani", "APBDES");
    const BPU_APBN: Who = who("BPU", "petani", "APBN");
    const PETANI_MANDIRI: Who = who("BPU", "petani", "MANDIRI");
    const OJEK_MANDIRI: Who = who("BPU", "pengemudi", "MANDIRI");
    const OJEK_APBD: Who = who("BPU", "pengemudi", "APBD");
    const PU_APBDES: Who = who("PU", "perangkat_desa", "APBDES");
    const PU_MANDIRI: Who = who("PU", "rt_rw", "MANDIRI");

    const ALL: Option<&str> = Some("pp50-2025-bpu");
    const TRANSPORT: Option<&str> = Some("pp50-2025-bpu-transport");

    #[test]
    fn default_pack_contributions() {
        let pack = RulePack::default_pack();
        let full = [(Jkk, 10_000, 0, None, 10_000), (Jkm, 6_800, 0, None, 6_800)];
        let halved = |id| {
            [
                (Jkk, 10_000, 5_000, id, 5_000),
                (Jkm, 6_800, 3_400, id, 3_400),
            ]
        };
        let jht_bpu = (Jht, 20_000, 0, None, 20_000);
        let cases: Vec<(Who, &str, Vec<Expected>, i64)> = vec![
            // BPU, lowest band: JKK 1% of Rp1,000,000 + JKM Rp6,800.
            (BPU_APBD, "2026-01-01", full.to_vec(), 16_800),
            (BPU_APBD, "2025-06-15", full.to_vec(), 16_800),
            // JHT 2% of the declared (lowest) income.
            (
                with_jht(BPU_APBD),
                "2026-01-31",
                [full[0], full[1], jht_bpu].to_vec(),
                36_800,
            ),
            // PP 50/2025 halves JKK and JKM Apr-Dec 2026, not for APBN/APBD/APBDes.
            (PETANI_MANDIRI, "2026-03-31", full.to_vec(), 16_800),
            (PETANI_MANDIRI, "2026-04-01", halved(ALL).to_vec(), 8_400),
            (PETANI_MANDIRI, "2026-05-15", halved(ALL).to_vec(), 8_400),
            (PETANI_MANDIRI, "2026-12-31", halved(ALL).to_vec(), 8_400),
            (PETANI_MANDIRI, "2027-01-01", full.to_vec(), 16_800),
            (BPU_APBD, "2026-05-15", full.to_vec(), 16_800),
            (BPU_APBDES, "2026-05-15", full.to_vec(), 16_800),
            (BPU_APBN, "2026-05-15", full.to_vec(), 16_800),
            // JHT is never discounted.
            (
                with_jht(PETANI_MANDIRI),
                "2026-05-01",
                [halved(ALL)[0], halved(ALL)[1], jht_bpu].to_vec(),
                28_400,
            ),
            // Transport: from Jan 2026 to Mar 2027.
            (OJEK_MANDIRI, "2025-12-01", full.to_vec(), 16_800),
            (
                OJEK_MANDIRI,
                "2026-02-10",
                halved(TRANSPORT).to_vec(),
                8_400,
            ),
            (PETANI_MANDIRI, "2026-02-10", full.to_vec(), 16_800),
            (OJEK_APBD, "2026-02-10", full.to_vec(), 16_800),
            // Both apply Apr-Dec 2026: no stacking, the first of equals.
            (OJEK_MANDIRI, "2026-05-01", halved(ALL).to_vec(), 8_400),
            (
                OJEK_MANDIRI,
                "2027-01-01",
                halved(TRANSPORT).to_vec(),
                8_400,
            ),
            (
                OJEK_MANDIRI,
                "2027-03-31",
                halved(TRANSPORT).to_vec(),
                8_400,
            ),
            (OJEK_MANDIRI, "2027-04-01", full.to_vec(), 16_800),
            // PU at the reference wage Rp1,000,000: JKK 0.24% + JKM 0.30%.
            (
                PU_APBDES,
                "2026-05-01",
                vec![(Jkk, 2_400, 0, None, 2_400), (Jkm, 3_000, 0, None, 3_000)],
                5_400,
            ),
            // PP 50/2025 is for BPU only.
            (
                PU_MANDIRI,
                "2026-05-01",
                vec![(Jkk, 2_400, 0, None, 2_400), (Jkm, 3_000, 0, None, 3_000)],
                5_400,
            ),
            // JHT 5.7%.
            (
                with_jht(PU_APBDES),
                "2026-05-01",
                vec![
                    (Jkk, 2_400, 0, None, 2_400),
                    (Jkm, 3_000, 0, None, 3_000),
                    (Jht, 57_000, 0, None, 57_000),
                ],
                62_400,
            ),
        ];
        for (who, month, lines, total) in cases {
            check(&pack, who, month, &lines, total);
        }
    }

    #[test]
    fn rounding_is_half_up_per_line() {
        let cases = [
            (1_000_000, 100, 10_000),
            (1_234_567, 24, 2_963),   // 2,962.96
            (1_234_567, 30, 3_704),   // 3,703.70
            (1_234_567, 570, 70_370), // 70,370.32
            (1_000_500, 30, 3_002),   // 3,001.5: half up
            (1_000_500, 24, 2_401),   // 2,401.2
            (2_401, 5_000, 1_201),    // 1,200.5
            (2_400, 5_000, 1_200),
            (1, 5_000, 1), // 0.5
            (1, 4_999, 0), // 0.4999
            (3, 5_000, 2), // 1.5
            (0, 100, 0),
            (1_000_000, 0, 0),
            (-3, 5_000, -2),
            // Would overflow i64 without i128: 9e15 × 10,000.
            (9_000_000_000_000_000, 10_000, 9_000_000_000_000_000),
        ];
        for (amount, basis_points, expected) in cases {
            assert_eq!(
                share(amount, basis_points),
                expected,
                "{amount} × {basis_points}"
            );
        }
    }

    #[test]
    fn rounding_in_a_crafted_pack() {
        use serde_json::json;
        // PU wage Rp1,234,567; the general PP 50/2025 discount also for PU.
        let odd_wage = pack_with(|p| {
            p["rates"][1]["base"]["default"] = 1_234_567.into();
            p["discounts"][0]["segments"] = json!(["BPU", "PU"]);
        });
        // JKK 0.24% of 1,234,567 = 2,962.96 → 2,963, halved: 1,481.5 → 1,482.
        // JKM 0.30% = 3,703.70 → 3,704, halved: 1,852.
        check(
            &odd_wage,
            PU_APBDES,
            "2026-05-01",
            &[(Jkk, 2_963, 0, None, 2_963), (Jkm, 3_704, 0, None, 3_704)],
            6_667,
        );
        check(
            &odd_wage,
            PU_MANDIRI,
            "2026-05-01",
            &[
                (Jkk, 2_963, 1_482, ALL, 1_481),
                (Jkm, 3_704, 1_852, ALL, 1_852),
            ],
            3_333,
        );
        // JKK 2,401.2 → 2,401; JKM 3,001.5 → 3,002 (half up).
        let half = pack_with(|p| p["rates"][1]["base"]["default"] = 1_000_500.into());
        check(
            &half,
            PU_APBDES,
            "2026-05-01",
            &[(Jkk, 2_401, 0, None, 2_401), (Jkm, 3_002, 0, None, 3_002)],
            5_403,
        );
        // Lines are rounded before summing: JKK 2,400.22 → 2,400 and JKM
        // 3,000.28 → 3,000 make 5,400, where rounding the exact sum
        // (5,400.50) would give 5,401.
        let per_line = pack_with(|p| p["rates"][1]["base"]["default"] = 1_000_093.into());
        check(
            &per_line,
            PU_APBDES,
            "2026-05-01",
            &[(Jkk, 2_400, 0, None, 2_400), (Jkm, 3_000, 0, None, 3_000)],
            5_400,
        );
        // A flat amount is taken as is, and a discount on an odd flat amount
        // rounds half up: 50% of 6,801 = 3,400.5 → 3,401.
        let odd_flat = pack_with(|p| p["rates"][0]["programmes"]["JKM"]["flat"] = 6_801.into());
        check(
            &odd_flat,
            PETANI_MANDIRI,
            "2026-05-01",
            &[
                (Jkk, 10_000, 5_000, ALL, 5_000),
                (Jkm, 6_801, 3_401, ALL, 3_400),
            ],
            8_400,
        );
    }

    #[test]
    fn discounts_do_not_stack_the_largest_applies() {
        use serde_json::json;
        // Transport 75%: larger than the general 50%, so it wins in May 2026.
        let deep = pack_with(|p| p["discounts"][1]["basis_points"] = 7_500.into());
        check(
            &deep,
            OJEK_MANDIRI,
            "2026-05-01",
            &[
                (Jkk, 10_000, 7_500, TRANSPORT, 2_500),
                (Jkm, 6_800, 5_100, TRANSPORT, 1_700),
            ],
            4_200,
        );
        check(
            &deep,
            PETANI_MANDIRI,
            "2026-05-01",
            &[
                (Jkk, 10_000, 5_000, ALL, 5_000),
                (Jkm, 6_800, 3_400, ALL, 3_400),
            ],
            8_400,
        );
        // A discount for JKK only, and one with no exclusions (APBD too).
        let jkk_only = pack_with(|p| {
            p["discounts"][0]["programmes"] = json!(["JKK"]);
            p["discounts"][0]["excluded_funding_sources"] = json!([]);
        });
        check(
            &jkk_only,
            BPU_APBD,
            "2026-05-01",
            &[
                (Jkk, 10_000, 5_000, ALL, 5_000),
                (Jkm, 6_800, 0, None, 6_800),
            ],
            11_800,
        );
    }

    #[test]
    fn no_rates_for_the_month() {
        // BPU rates only from 2027.
        let pack = pack_with(|p| p["rates"][0]["period"]["from"] = "2027-01-01".into());
        let registration = register(BPU_APBD, 1, &RulePack::default_pack());
        let cases = [
            ("2026-12-31", Err("2026-12-01")),
            ("2015-07-01", Err("2015-07-01")),
            ("2027-01-01", Ok(16_800)),
            ("2027-01-31", Ok(16_800)),
        ];
        for (month, expected) in cases {
            let got = monthly(&registration, &pack, d(month));
            match (got, expected) {
                (Ok(c), Ok(total)) => assert_eq!(c.total(), total, "{month}"),
                (Err(e), Err(first)) => {
                    assert_eq!(
                        e,
                        ContributionError::NoRates {
                            segment: "BPU".into(),
                            month: d(first)
                        }
                    );
                    assert_eq!(e.code(), "contribution.no_rates");
                }
                (got, expected) => panic!("{month}: {got:?} vs {expected:?}"),
            }
        }
        let error = ContributionError::NoRates {
            segment: "BPU".into(),
            month: d("2026-05-01"),
        };
        assert_eq!(
            error.message(Lang::Id),
            "Aturan yang berlaku tidak memuat tarif iuran BPU untuk bulan Mei 2026."
        );
        assert_eq!(
            error.message(Lang::En),
            "The active rules have no BPU contribution rates for May 2026."
        );
    }

    fn village() -> VillageRef {
        VillageRef::new("61.07.01.2001", "Sungai Duri").unwrap()
    }

    /// A roster of `slots` funded slots with these registrations, in order.
    fn roster(slots: u32, people: &[Who]) -> Roster {
        let pack = RulePack::default_pack();
        let mut roster = Roster::new(village(), slots);
        for (i, &who) in people.iter().enumerate() {
            let id = RecordId::new(format!("r{}", i + 1)).unwrap();
            // Everyone shares a birth date here: the look-alike check is
            // confirmed away, it is not what these tests are about.
            roster
                .add(
                    id,
                    register(who, i as u32 + 1, &pack),
                    DuplicateCheck::Confirmed,
                )
                .unwrap();
        }
        roster
    }

    #[test]
    fn a_year_for_100_funded_workers() {
        let pack = RulePack::default_pack();
        let hundred = roster(100, &[BPU_APBD; 100]);
        let year = yearly(&hundred, &pack, d("2026-01-01")).unwrap();
        assert_eq!(year.total(), 20_160_000);
        assert_eq!(year.paid_registrations(), 100);
        assert_eq!(year.months(), 12);
        assert_eq!(year.per_month().len(), 12);
        assert!(year
            .per_month()
            .iter()
            .all(|&(_, total)| total == 1_680_000));
        assert_eq!(
            year.by_programme(),
            &BTreeMap::from([(Jkk, 12_000_000), (Jkm, 8_160_000)])
        );
        assert_eq!(
            year.by_funding_source(),
            &BTreeMap::from([("APBD".to_owned(), 20_160_000)])
        );
        // The 101st waits, and costs nothing.
        let more = roster(100, &[BPU_APBD; 101]);
        assert_eq!(more.counts().waitlisted, 1);
        assert_eq!(
            yearly(&more, &pack, d("2026-01-01")).unwrap().total(),
            20_160_000
        );
        assert_eq!(
            monthly_total(&more, &pack, d("2026-07-15")).unwrap(),
            1_680_000
        );
    }

    #[test]
    fn budget_counts_funded_and_apparatus_not_the_waitlist() {
        let pack = RulePack::default_pack();
        // Two slots: r1 and r2 funded, r3 apparatus, r4 and r5 waitlisted.
        let village = roster(
            2,
            &[
                BPU_APBD,
                PETANI_MANDIRI,
                PU_APBDES,
                BPU_APBD,
                with_jht(BPU_APBD),
            ],
        );
        // (first month, months, per month, by programme, by funding source, total)
        type Case = (
            &'static str,
            u32,
            Vec<i64>,
            [i64; 3],
            [(&'static str, i64); 3],
            i64,
        );
        let cases: Vec<Case> = vec![
            // Jan 2026: 16,800 + 16,800 + 5,400.
            (
                "2026-01-01",
                1,
                vec![39_000],
                [22_400, 16_600, 0],
                [("APBD", 16_800), ("APBDES", 5_400), ("MANDIRI", 16_800)],
                39_000,
            ),
            // Mar-May 2026: from April the MANDIRI worker pays half (8,400).
            (
                "2026-03-20",
                3,
                vec![39_000, 30_600, 30_600],
                [22_400 + 17_400 * 2, 16_600 + 13_200 * 2, 0],
                [
                    ("APBD", 16_800 * 3),
                    ("APBDES", 5_400 * 3),
                    ("MANDIRI", 16_800 + 8_400 * 2),
                ],
                100_200,
            ),
            // Dec 2026 - Jan 2027: the discount ends.
            (
                "2026-12-01",
                2,
                vec![30_600, 39_000],
                [17_400 + 22_400, 13_200 + 16_600, 0],
                [
                    ("APBD", 16_800 * 2),
                    ("APBDES", 5_400 * 2),
                    ("MANDIRI", 8_400 + 16_800),
                ],
                69_600,
            ),
        ];
        for (first, months, per_month, programmes, sources, total) in cases {
            let budget = budget(&village, &pack, d(first), months).unwrap();
            let expected_months: Vec<(Date, i64)> = per_month
                .iter()
                .enumerate()
                .map(|(i, &t)| (d(first).add_months(i as i32), t))
                .collect();
            assert_eq!(budget.per_month(), expected_months, "{first}");
            let programmes: BTreeMap<Programme, i64> = [Jkk, Jkm, Jht]
                .into_iter()
                .zip(programmes)
                .filter(|&(_, amount)| amount != 0)
                .collect();
            assert_eq!(budget.by_programme(), &programmes, "{first}");
            let sources: BTreeMap<String, i64> =
                sources.iter().map(|&(s, a)| (s.to_owned(), a)).collect();
            assert_eq!(budget.by_funding_source(), &sources, "{first}");
            assert_eq!(budget.total(), total, "{first}");
            assert_eq!(
                budget.by_programme().values().sum::<i64>(),
                total,
                "{first}"
            );
            assert_eq!(budget.paid_registrations(), 3, "{first}");
            assert_eq!(budget.first_month(), d(first).first_of_month(), "{first}");
        }
        // No months, no money.
        let empty = budget(&village, &pack, d("2026-01-01"), 0).unwrap();
        assert_eq!((empty.total(), empty.per_month().len()), (0, 0));
        // An empty roster costs nothing.
        let none = yearly(&roster(100, &[]), &pack, d("2026-01-01")).unwrap();
        assert_eq!((none.total(), none.paid_registrations()), (0, 0));
    }

    #[test]
    fn budget_fails_when_a_month_has_no_rates() {
        let pack = pack_with(|p| p["rates"][1]["period"]["until"] = "2026-06-30".into());
        let village = roster(2, &[BPU_APBD, PU_APBDES]);
        let cases = [
            ("2026-01-01", 6, Ok(6 * 22_200)),
            ("2026-01-01", 7, Err("2026-07-01")),
            ("2026-07-01", 1, Err("2026-07-01")),
        ];
        for (first, months, expected) in cases {
            let got = budget(&village, &pack, d(first), months).map(|b| b.total());
            let expected = expected.map_err(|month| ContributionError::NoRates {
                segment: "PU".into(),
                month: d(month),
            });
            assert_eq!(got, expected, "{first} {months}");
        }
    }
}
