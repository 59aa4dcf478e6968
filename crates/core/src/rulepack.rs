//! Rule packs: everything a regency decides, as versioned data.
//!
//! Ages, segments and categories, funded slots per village, funding sources,
//! contribution rates and discounts with their periods all live in a JSON
//! document (format `lindung.rule-pack`, documented in `docs/rule-pack.md`)
//! that cites its sources. Code never holds these numbers.
//!
//! [`RulePack::from_json`] is the only way to make a pack: it rejects a
//! malformed or contradictory document with the list of everything wrong.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::i18n::{Lang, Text};

/// The format name every pack declares.
pub const FORMAT: &str = "lindung.rule-pack";
/// The format version this code reads.
pub const FORMAT_VERSION: u32 = 1;

const DEFAULT_PACK: &str = include_str!("../../../rules/default.json");

/// A contribution programme of BPJS Ketenagakerjaan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Programme {
    /// Jaminan Kecelakaan Kerja (work accident).
    #[serde(rename = "JKK")]
    Jkk,
    /// Jaminan Kematian (death).
    #[serde(rename = "JKM")]
    Jkm,
    /// Jaminan Hari Tua (old-age savings).
    #[serde(rename = "JHT")]
    Jht,
}

impl Programme {
    pub const ALL: [Programme; 3] = [Programme::Jkk, Programme::Jkm, Programme::Jht];

    pub fn code(self) -> &'static str {
        match self {
            Programme::Jkk => "JKK",
            Programme::Jkm => "JKM",
            Programme::Jht => "JHT",
        }
    }
}

/// A validated rule pack. Fields are private: only [`RulePack::from_json`]
/// makes one, so every pack in the program has passed [`validate`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RulePack {
    #[serde(flatten)]
    doc: PackDocument,
}

/// The JSON document, as written. Unknown fields are errors, so a typo in a
/// field name cannot silently drop a rule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackDocument {
    pub format: String,
    pub format_version: u32,
    pub id: String,
    pub version: String,
    pub title: Text,
    /// The regulation that makes this pack binding (e.g. a Perbup), as cited.
    pub regulation: String,
    pub effective: Period,
    /// Citations, by key. Every rule names one of these keys as its `source`.
    pub sources: BTreeMap<String, String>,
    pub age: AgeWindow,
    pub funded_slots_per_village: FundedSlots,
    pub funding_sources: Vec<FundingSource>,
    pub segments: Vec<Segment>,
    pub rates: Vec<RateSchedule>,
    #[serde(default)]
    pub discounts: Vec<Discount>,
    /// When the app warns that registrations wait unexported on the phone.
    /// Optional: a pack without it gives no such warning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub export: Option<ExportRules>,
}

/// How long data may stay on a phone before the app warns that it is at
/// risk (a lost or broken phone loses everything not yet exported).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportRules {
    /// Days since the last export (or since the oldest unexported change)
    /// after which the home screen shows a warning. At least 1.
    pub warn_after_days: u32,
    pub source: String,
}

/// Inclusive date range; `until: null` means open-ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Period {
    pub from: Date,
    pub until: Option<Date>,
}

impl Period {
    pub fn contains(&self, date: Date) -> bool {
        self.from <= date && self.until.is_none_or(|until| date <= until)
    }

    fn overlaps(&self, other: &Period) -> bool {
        let starts_before_other_ends = other.until.is_none_or(|until| self.from <= until);
        let ends_after_other_starts = self.until.is_none_or(|until| other.from <= until);
        starts_before_other_ends && ends_after_other_starts
    }
}

/// Age window, in completed years on the day of registration, inclusive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgeWindow {
    pub min: u32,
    pub max: u32,
    pub source: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FundedSlots {
    pub value: u32,
    pub source: String,
}

/// Who pays: APBD (regency budget), APBDes (village budget), ...
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FundingSource {
    pub code: String,
    pub name: Text,
}

/// BPU (non-wage earners, vulnerable workers) or PU (wage earners, village
/// apparatus), with the categories the regency accepts in it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Segment {
    pub code: String,
    pub name: Text,
    /// Whether registrations in this segment take a village's funded slots
    /// (vulnerable workers do; village apparatus do not).
    pub uses_funded_slots: bool,
    pub default_funding_source: String,
    pub categories: Vec<Category>,
    pub source: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub code: String,
    pub name: Text,
}

/// The contribution formula of one segment over one period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateSchedule {
    pub segment: String,
    pub period: Period,
    pub base: Base,
    pub programmes: BTreeMap<Programme, ProgrammeRate>,
    pub source: String,
}

/// What percentages are taken of.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", try_from = "BaseDocument")]
pub enum Base {
    /// BPU: the declared income falls in a band; the band's nominal income is
    /// the base. Bands ascend by `min_income`; the first starts at 0.
    IncomeBands { bands: Vec<IncomeBand> },
    /// PU: the wage; `default` when none is declared (usually the regional
    /// minimum wage).
    Wage { default: i64 },
}

/// [`Base`] as written, `{"kind": ..., fields}`, read as one plain struct:
/// serde's internally tagged enums buffer the object in generic code first,
/// kilobytes of it in the app's wasm (this saves 4.7 kB gzip there). The errors
/// read as the derive's did, except that a field neither kind has is listed
/// against every field of both kinds.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BaseDocument {
    kind: String,
    bands: Option<Vec<IncomeBand>>,
    default: Option<i64>,
}

impl TryFrom<BaseDocument> for Base {
    type Error = String;

    fn try_from(doc: BaseDocument) -> Result<Base, String> {
        match (doc.kind.as_str(), doc.bands, doc.default) {
            ("income_bands", _, Some(_)) => Err("unknown field `default`, expected `bands`".into()),
            ("income_bands", Some(bands), None) => Ok(Base::IncomeBands { bands }),
            ("income_bands", None, None) => Err("missing field `bands`".into()),
            ("wage", Some(_), _) => Err("unknown field `bands`, expected `default`".into()),
            ("wage", None, Some(default)) => Ok(Base::Wage { default }),
            ("wage", None, None) => Err("missing field `default`".into()),
            (other, _, _) => Err(format!(
                "unknown variant `{other}`, expected `income_bands` or `wage`"
            )),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncomeBand {
    pub min_income: i64,
    pub nominal_income: i64,
}

/// One programme's rate: a share of the base in basis points (1% = 100), or
/// a flat monthly amount in rupiah. Optional programmes (JHT) are paid only
/// for registrations that opt in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeRate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis_points: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flat: Option<i64>,
    #[serde(default)]
    pub optional: bool,
}

/// A reduction of some programmes' contributions for a period, for some
/// segments (and optionally only some categories), not for registrations
/// paid from the excluded funding sources. Discounts do not stack: per
/// programme, the largest applicable one applies.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Discount {
    pub id: String,
    pub segments: Vec<String>,
    /// Empty: every category of the segments.
    #[serde(default)]
    pub categories: Vec<String>,
    pub programmes: Vec<Programme>,
    /// Share removed, in basis points (50% = 5000).
    pub basis_points: u32,
    pub period: Period,
    #[serde(default)]
    pub excluded_funding_sources: Vec<String>,
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One thing wrong with a pack: where (a path like `segments[1].categories[0].code`)
/// and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackProblem {
    pub path: String,
    pub message: String,
}

impl fmt::Display for PackProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl RulePack {
    /// Parses and validates a pack; on failure, every problem found.
    pub fn from_json(text: &str) -> Result<RulePack, Vec<PackProblem>> {
        let doc: PackDocument = serde_json::from_str(text).map_err(|e| {
            vec![PackProblem {
                path: String::new(),
                message: format!("not a valid rule pack document: {e}"),
            }]
        })?;
        let problems = validate(&doc);
        if problems.is_empty() {
            Ok(RulePack { doc })
        } else {
            Err(problems)
        }
    }

    /// The pack shipped in `rules/default.json`.
    pub fn default_pack() -> RulePack {
        RulePack::from_json(DEFAULT_PACK).expect("rules/default.json is a valid rule pack")
    }

    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(&self.doc).expect("a pack always serializes")
    }

    pub fn document(&self) -> &PackDocument {
        &self.doc
    }

    pub fn id(&self) -> &str {
        &self.doc.id
    }

    pub fn version(&self) -> &str {
        &self.doc.version
    }

    pub fn title(&self) -> &Text {
        &self.doc.title
    }

    pub fn regulation(&self) -> &str {
        &self.doc.regulation
    }

    pub fn effective(&self) -> Period {
        self.doc.effective
    }

    pub fn source(&self, key: &str) -> Option<&str> {
        self.doc.sources.get(key).map(String::as_str)
    }

    pub fn age(&self) -> &AgeWindow {
        &self.doc.age
    }

    pub fn funded_slots_per_village(&self) -> u32 {
        self.doc.funded_slots_per_village.value
    }

    pub fn funding_sources(&self) -> &[FundingSource] {
        &self.doc.funding_sources
    }

    pub fn funding_source(&self, code: &str) -> Option<&FundingSource> {
        self.doc.funding_sources.iter().find(|f| f.code == code)
    }

    pub fn segments(&self) -> &[Segment] {
        &self.doc.segments
    }

    /// The segment a blank form starts with: the pack's first.
    pub fn default_segment(&self) -> Option<&Segment> {
        self.doc.segments.first()
    }

    pub fn segment(&self, code: &str) -> Option<&Segment> {
        self.doc.segments.iter().find(|s| s.code == code)
    }

    /// The name people read for category `code` in `lang`: the pack's
    /// name for it, or, for a code this pack does not have (a record made
    /// under another pack), a plain "other occupation" rather than the code.
    pub fn category_name(&self, code: &str, lang: Lang) -> String {
        self.doc
            .segments
            .iter()
            .find_map(|s| s.category(code))
            .map(|c| c.name.get(lang).to_owned())
            .unwrap_or_else(|| lang.pick("Pekerjaan lain", "Other occupation").to_owned())
    }

    pub fn rate_schedules(&self) -> &[RateSchedule] {
        &self.doc.rates
    }

    /// The rate schedule of `segment` in force on `date`.
    pub fn rates_on(&self, segment: &str, date: Date) -> Option<&RateSchedule> {
        self.doc
            .rates
            .iter()
            .find(|r| r.segment == segment && r.period.contains(date))
    }

    pub fn discounts(&self) -> &[Discount] {
        &self.doc.discounts
    }

    /// Days without an export after which the app warns; `None`: never.
    pub fn export_warn_after_days(&self) -> Option<u32> {
        self.doc.export.as_ref().map(|e| e.warn_after_days)
    }

    /// The JSON of the shipped default pack, byte for byte (its digest goes
    /// into bundles).
    pub fn default_json() -> &'static str {
        DEFAULT_PACK
    }
}

impl Segment {
    pub fn category(&self, code: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.code == code)
    }
}

impl Base {
    /// The amount percentages are taken of, for a declared income or wage
    /// (`None`: the lowest band, or the default wage).
    pub fn amount(&self, declared: Option<i64>) -> i64 {
        match self {
            Base::IncomeBands { bands } => {
                let income = declared.unwrap_or(0);
                bands
                    .iter()
                    .rev()
                    .find(|b| b.min_income <= income)
                    .or(bands.first())
                    .map_or(0, |b| b.nominal_income)
            }
            Base::Wage { default } => declared.unwrap_or(*default),
        }
    }
}

/// Collects every contradiction in a document.
fn validate(doc: &PackDocument) -> Vec<PackProblem> {
    let mut problems = Problems::default();
    if doc.format != FORMAT {
        problems.push("format", format!("must be \"{FORMAT}\""));
    }
    if doc.format_version != FORMAT_VERSION {
        problems.push(
            "format_version",
            format!(
                "version {} is not supported (this program reads {FORMAT_VERSION})",
                doc.format_version
            ),
        );
    }
    for (path, value) in [
        ("id", &doc.id),
        ("version", &doc.version),
        ("regulation", &doc.regulation),
        ("title.id", &doc.title.id),
        ("title.en", &doc.title.en),
    ] {
        if value.trim().is_empty() {
            problems.push(path, "must not be empty");
        }
    }
    check_period(&mut problems, "effective", &doc.effective);
    for (key, citation) in &doc.sources {
        if citation.trim().is_empty() {
            problems.push(format!("sources.{key}"), "citation must not be empty");
        }
    }
    let cite = |problems: &mut Problems, path: String, key: &str| {
        if !doc.sources.contains_key(key) {
            problems.push(path, format!("cites unknown source \"{key}\""));
        }
    };

    if doc.age.min > doc.age.max {
        problems.push(
            "age",
            format!("min {} is above max {}", doc.age.min, doc.age.max),
        );
    }
    if doc.age.max > 120 {
        problems.push("age.max", "must be at most 120");
    }
    cite(&mut problems, "age.source".into(), &doc.age.source);
    cite(
        &mut problems,
        "funded_slots_per_village.source".into(),
        &doc.funded_slots_per_village.source,
    );

    // A list, not a set: a pack names a handful, and no set code ships in the wasm.
    let funding: Vec<&str> = doc
        .funding_sources
        .iter()
        .map(|f| f.code.as_str())
        .collect();
    if doc.funding_sources.is_empty() {
        problems.push("funding_sources", "must name at least one funding source");
    }
    unique(
        &mut problems,
        "funding_sources",
        doc.funding_sources.iter().map(|f| f.code.as_str()),
    );

    if doc.segments.is_empty() {
        problems.push("segments", "must define at least one segment");
    }
    unique(
        &mut problems,
        "segments",
        doc.segments.iter().map(|s| s.code.as_str()),
    );
    for (i, segment) in doc.segments.iter().enumerate() {
        let path = format!("segments[{i}]");
        if segment.code.trim().is_empty() {
            problems.push(format!("{path}.code"), "must not be empty");
        }
        if !funding.contains(&segment.default_funding_source.as_str()) {
            problems.push(
                format!("{path}.default_funding_source"),
                format!(
                    "\"{}\" is not in funding_sources",
                    segment.default_funding_source
                ),
            );
        }
        if segment.categories.is_empty() {
            problems.push(
                format!("{path}.categories"),
                "must list at least one category",
            );
        }
        unique(
            &mut problems,
            &format!("{path}.categories"),
            segment.categories.iter().map(|c| c.code.as_str()),
        );
        cite(&mut problems, format!("{path}.source"), &segment.source);
        if !doc.rates.iter().any(|r| r.segment == segment.code) {
            problems.push(
                path.clone(),
                format!("segment \"{}\" has no rates", segment.code),
            );
        }
    }

    for (i, rates) in doc.rates.iter().enumerate() {
        let path = format!("rates[{i}]");
        if doc.segments.iter().all(|s| s.code != rates.segment) {
            problems.push(
                format!("{path}.segment"),
                format!("unknown segment \"{}\"", rates.segment),
            );
        }
        check_period(&mut problems, &format!("{path}.period"), &rates.period);
        for (j, earlier) in doc.rates[..i].iter().enumerate() {
            if earlier.segment == rates.segment && earlier.period.overlaps(&rates.period) {
                problems.push(
                    format!("{path}.period"),
                    format!("overlaps rates[{j}] for segment \"{}\"", rates.segment),
                );
            }
        }
        match &rates.base {
            Base::IncomeBands { bands } => {
                if bands.first().is_none_or(|b| b.min_income != 0) {
                    problems.push(
                        format!("{path}.base.bands"),
                        "the first band must start at min_income 0",
                    );
                }
                for (j, band) in bands.iter().enumerate() {
                    if band.nominal_income <= 0 {
                        problems.push(
                            format!("{path}.base.bands[{j}].nominal_income"),
                            "must be positive",
                        );
                    }
                    if j > 0 && band.min_income <= bands[j - 1].min_income {
                        problems.push(
                            format!("{path}.base.bands[{j}].min_income"),
                            "bands must ascend by min_income",
                        );
                    }
                }
            }
            Base::Wage { default } => {
                if *default <= 0 {
                    problems.push(format!("{path}.base.default"), "must be positive");
                }
            }
        }
        for required in [Programme::Jkk, Programme::Jkm] {
            if !rates.programmes.contains_key(&required) {
                problems.push(
                    format!("{path}.programmes"),
                    format!("{} is required", required.code()),
                );
            }
        }
        for (programme, rate) in &rates.programmes {
            let at = format!("{path}.programmes.{}", programme.code());
            match (rate.basis_points, rate.flat) {
                (Some(_), Some(_)) | (None, None) => {
                    problems.push(at.clone(), "give exactly one of basis_points or flat")
                }
                (Some(bp), None) if bp > 10_000 => {
                    problems.push(at.clone(), "basis_points above 10000 (100%)")
                }
                (None, Some(flat)) if flat < 0 => {
                    problems.push(at.clone(), "flat must not be negative")
                }
                _ => {}
            }
            if rate.optional && *programme != Programme::Jht {
                problems.push(at, "only JHT can be optional");
            }
        }
        cite(&mut problems, format!("{path}.source"), &rates.source);
    }

    unique(
        &mut problems,
        "discounts",
        doc.discounts.iter().map(|d| d.id.as_str()),
    );
    for (i, discount) in doc.discounts.iter().enumerate() {
        let path = format!("discounts[{i}]");
        if discount.segments.is_empty() {
            problems.push(format!("{path}.segments"), "must name at least one segment");
        }
        for code in &discount.segments {
            if doc.segments.iter().all(|s| &s.code != code) {
                problems.push(
                    format!("{path}.segments"),
                    format!("unknown segment \"{code}\""),
                );
            }
        }
        for code in &discount.categories {
            let known = doc
                .segments
                .iter()
                .filter(|s| discount.segments.contains(&s.code))
                .any(|s| s.category(code).is_some());
            if !known {
                problems.push(
                    format!("{path}.categories"),
                    format!("\"{code}\" is not a category of the discount's segments"),
                );
            }
        }
        if discount.programmes.is_empty() {
            problems.push(
                format!("{path}.programmes"),
                "must name at least one programme",
            );
        }
        if discount.basis_points == 0 || discount.basis_points > 10_000 {
            problems.push(format!("{path}.basis_points"), "must be 1 to 10000");
        }
        check_period(&mut problems, &format!("{path}.period"), &discount.period);
        for code in &discount.excluded_funding_sources {
            if !funding.contains(&code.as_str()) {
                problems.push(
                    format!("{path}.excluded_funding_sources"),
                    format!("\"{code}\" is not in funding_sources"),
                );
            }
        }
        cite(&mut problems, format!("{path}.source"), &discount.source);
    }
    if let Some(export) = &doc.export {
        if export.warn_after_days == 0 {
            problems.push("export.warn_after_days", "must be at least 1");
        }
        cite(&mut problems, "export.source".into(), &export.source);
    }
    problems.0
}

#[derive(Default)]
struct Problems(Vec<PackProblem>);

impl Problems {
    fn push(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.0.push(PackProblem {
            path: path.into(),
            message: message.into(),
        });
    }
}

fn check_period(problems: &mut Problems, path: &str, period: &Period) {
    if let Some(until) = period.until {
        if until < period.from {
            problems.push(
                path,
                format!("ends ({until}) before it starts ({})", period.from),
            );
        }
    }
}

fn unique<'a>(problems: &mut Problems, path: &str, codes: impl Iterator<Item = &'a str>) {
    let mut seen: Vec<&str> = Vec::new();
    for code in codes {
        if seen.contains(&code) {
            problems.push(path, format!("\"{code}\" appears more than once"));
        } else {
            seen.push(code);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn default_json() -> serde_json::Value {
        serde_json::from_str(DEFAULT_PACK).unwrap()
    }

    /// Applies `edit` to the default pack and checks the problems reported.
    fn check(edit: impl FnOnce(&mut serde_json::Value), expected: &[&str]) {
        let mut doc = default_json();
        edit(&mut doc);
        let got = match RulePack::from_json(&doc.to_string()) {
            Ok(_) => Vec::new(),
            Err(problems) => problems.iter().map(ToString::to_string).collect(),
        };
        assert_eq!(got, expected);
    }

    /// A rate's `base`, as written, against what it reads as (or the start of the
    /// document error, before serde_json's " at line L column C").
    #[test]
    fn category_names_never_show_a_code() {
        let pack = RulePack::default_pack();
        let cases = [
            ("petani", Lang::Id, "Petani / pekebun (termasuk sawit)"),
            ("nelayan", Lang::En, "Fisher"),
            ("no_such_code", Lang::Id, "Pekerjaan lain"),
            ("no_such_code", Lang::En, "Other occupation"),
        ];
        for (code, lang, name) in cases {
            assert_eq!(pack.category_name(code, lang), name, "{code}");
        }
    }

    #[test]
    fn a_base_reads_by_its_kind_and_refuses_fields_of_the_other_kind() {
        use serde_json::json;
        let bands = vec![IncomeBand {
            min_income: 0,
            nominal_income: 1_000_000,
        }];
        let cases: [(serde_json::Value, Result<Base, &str>); 10] = [
            (
                json!({"kind": "income_bands", "bands": [{"min_income": 0, "nominal_income": 1000000}]}),
                Ok(Base::IncomeBands { bands }),
            ),
            (
                json!({"default": 2500000, "kind": "wage"}),
                Ok(Base::Wage { default: 2_500_000 }),
            ),
            (
                json!({"kind": "salary", "default": 1}),
                Err("unknown variant `salary`, expected `income_bands` or `wage`"),
            ),
            (json!({"default": 1}), Err("missing field `kind`")),
            (
                json!({"kind": "income_bands"}),
                Err("missing field `bands`"),
            ),
            (json!({"kind": "wage"}), Err("missing field `default`")),
            (
                json!({"kind": "income_bands", "bands": [], "default": 1}),
                Err("unknown field `default`, expected `bands`"),
            ),
            (
                json!({"kind": "wage", "default": 1, "bands": []}),
                Err("unknown field `bands`, expected `default`"),
            ),
            (
                json!({"kind": "wage", "default": 1, "note": "x"}),
                Err("unknown field `note`, expected one of `kind`, `bands`, `default`"),
            ),
            (
                json!({"kind": 7, "default": 1}),
                Err("invalid type: integer `7`, expected a string"),
            ),
        ];
        for (base, expected) in cases {
            let mut doc = default_json();
            doc["rates"][1]["base"] = base.clone();
            match (RulePack::from_json(&doc.to_string()), expected) {
                (Ok(pack), Ok(want)) => {
                    assert_eq!(pack.document().rates[1].base, want, "{base}");
                    // It writes back as it was read.
                    let written = serde_json::to_value(&pack.document().rates[1].base).unwrap();
                    assert_eq!(serde_json::from_value::<Base>(written).unwrap(), want);
                }
                (Err(problems), Err(want)) => {
                    let got = problems[0].to_string();
                    let prefix = format!("not a valid rule pack document: {want} at line ");
                    assert!(got.starts_with(&prefix), "{base}: {got}");
                }
                (got, want) => panic!("{base}: got {got:?}, expected {want:?}"),
            }
        }
    }

    #[test]
    fn the_default_pack_is_valid_and_cites_its_numbers() {
        let pack = RulePack::default_pack();
        assert_eq!(pack.funded_slots_per_village(), 100);
        assert_eq!((pack.age().min, pack.age().max), (18, 65));
        let bpu = pack.segment("BPU").unwrap();
        assert!(bpu.uses_funded_slots);
        assert!(bpu.category("petani").is_some());
        assert!(bpu.category("nelayan").is_some());
        let pu = pack.segment("PU").unwrap();
        assert!(!pu.uses_funded_slots);
        assert!(pu.category("perangkat_desa").is_some());
        // Round trip: what we serialize is a valid pack equal to the original.
        assert_eq!(RulePack::from_json(&pack.to_json_pretty()).unwrap(), pack);
    }

    #[test]
    fn base_amounts() {
        let bands = Base::IncomeBands {
            bands: vec![
                IncomeBand {
                    min_income: 0,
                    nominal_income: 1_000_000,
                },
                IncomeBand {
                    min_income: 1_100_000,
                    nominal_income: 1_100_000,
                },
            ],
        };
        let cases = [
            (None, 1_000_000),
            (Some(0), 1_000_000),
            (Some(1_099_999), 1_000_000),
            (Some(1_100_000), 1_100_000),
            (Some(9_000_000), 1_100_000),
            (Some(-5), 1_000_000),
        ];
        for (declared, base) in cases {
            assert_eq!(bands.amount(declared), base, "{declared:?}");
        }
        let wage = Base::Wage { default: 2_500_000 };
        assert_eq!(wage.amount(None), 2_500_000);
        assert_eq!(wage.amount(Some(3_000_000)), 3_000_000);
    }

    #[test]
    fn malformed_documents_are_rejected() {
        let cases = [
            ("", "not a valid rule pack document: EOF while parsing a value at line 1 column 0"),
            ("42", "not a valid rule pack document: invalid type: integer `42`, expected struct PackDocument at line 1 column 2"),
        ];
        for (text, message) in cases {
            let problems = RulePack::from_json(text).unwrap_err();
            assert_eq!(problems.len(), 1);
            assert_eq!(problems[0].to_string(), message, "{text}");
        }
        // A misspelt field is an error, not a silently missing rule.
        let mut doc = default_json();
        doc["age"]["maks"] = 60.into();
        let problems = RulePack::from_json(&doc.to_string()).unwrap_err();
        assert!(
            problems[0].message.contains("unknown field `maks`"),
            "{problems:?}"
        );
        // Dates must exist.
        let mut doc = default_json();
        doc["effective"]["from"] = "2026-02-30".into();
        let problems = RulePack::from_json(&doc.to_string()).unwrap_err();
        assert!(problems[0].message.contains("2026-02-30"), "{problems:?}");
    }

    #[test]
    fn contradictions_are_all_listed() {
        use serde_json::json;
        check(|_| {}, &[]);
        check(
            |d| {
                d["age"]["min"] = 70.into();
                d["format_version"] = 2.into();
            },
            &[
                "format_version: version 2 is not supported (this program reads 1)",
                "age: min 70 is above max 65",
            ],
        );
        check(
            |d| d["age"]["source"] = "nowhere".into(),
            &["age.source: cites unknown source \"nowhere\""],
        );
        check(
            |d| d["export"] = json!({"warn_after_days": 0, "source": "nowhere"}),
            &[
                "export.warn_after_days: must be at least 1",
                "export.source: cites unknown source \"nowhere\"",
            ],
        );
        check(
            |d| d["effective"] = json!({"from": "2026-12-01", "until": "2026-01-01"}),
            &["effective: ends (2026-01-01) before it starts (2026-12-01)"],
        );
        check(
            |d| {
                let first = d["segments"][0]["categories"][0].clone();
                d["segments"][0]["categories"]
                    .as_array_mut()
                    .unwrap()
                    .push(first);
            },
            &["segments[0].categories: \"petani\" appears more than once"],
        );
        check(
            |d| d["segments"][1]["default_funding_source"] = "DANA_DESA".into(),
            &["segments[1].default_funding_source: \"DANA_DESA\" is not in funding_sources"],
        );
        check(
            |d| {
                let copy = d["rates"][0].clone();
                d["rates"].as_array_mut().unwrap().push(copy);
            },
            &["rates[2].period: overlaps rates[0] for segment \"BPU\""],
        );
        check(
            |d| d["rates"][0]["programmes"]["JKK"] = json!({"basis_points": 100, "flat": 10}),
            &["rates[0].programmes.JKK: give exactly one of basis_points or flat"],
        );
        check(
            |d| {
                d["rates"][0]["programmes"]
                    .as_object_mut()
                    .unwrap()
                    .remove("JKM");
            },
            &["rates[0].programmes: JKM is required"],
        );
        check(
            |d| d["rates"][0]["base"]["bands"][0]["min_income"] = 5.into(),
            &["rates[0].base.bands: the first band must start at min_income 0"],
        );
        check(
            |d| d["rates"][1]["segment"] = "XX".into(),
            &[
                "segments[1]: segment \"PU\" has no rates",
                "rates[1].segment: unknown segment \"XX\"",
            ],
        );
        check(
            |d| {
                d["discounts"][0]["basis_points"] = 0.into();
                d["discounts"][0]["categories"] = json!(["perangkat_desa"]);
                d["discounts"][0]["excluded_funding_sources"] = json!(["APBX"]);
            },
            &[
                "discounts[0].categories: \"perangkat_desa\" is not a category of the discount's segments",
                "discounts[0].basis_points: must be 1 to 10000",
                "discounts[0].excluded_funding_sources: \"APBX\" is not in funding_sources",
            ],
        );
    }

    #[test]
    fn periods() {
        let d = |s: &str| Date::parse_iso(s).unwrap();
        let closed = Period {
            from: d("2026-04-01"),
            until: Some(d("2026-12-31")),
        };
        let open = Period {
            from: d("2027-01-01"),
            until: None,
        };
        let cases = [
            (closed, "2026-03-31", false),
            (closed, "2026-04-01", true),
            (closed, "2026-12-31", true),
            (closed, "2027-01-01", false),
            (open, "2027-01-01", true),
            (open, "2099-01-01", true),
        ];
        for (period, date, inside) in cases {
            assert_eq!(period.contains(d(date)), inside, "{period:?} {date}");
        }
        assert!(!closed.overlaps(&open));
        assert!(open.overlaps(&Period {
            from: d("2030-01-01"),
            until: None
        }));
    }
}
