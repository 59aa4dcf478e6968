//! `district report`: per village, district (kecamatan) and regency, the
//! roster counts, coverage and contribution budgets.
//!
//! Statuses and money come from the core: each active, accepted record's
//! registration is restored through the core's own check against the
//! report's rule pack ([`restore_registration`]), each village's roster is
//! rebuilt with [`Roster::restore`] in the district's registration order
//! (the registration time the district gave it, then the order of arrival,
//! then the time the device claims, then the record id), with the funded
//! slots of the district's pack (never a device's), and priced with
//! [`lindung_core::contribution::budget`]. This module only adds up and
//! formats what the core returns. Nothing a device sent can stop a report:
//! a record the pack does not accept is counted as skipped.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io::{self, Write};

use lindung_core::contribution::budget;
use lindung_core::i18n::rupiah;
use lindung_core::judge::restore_registration;
use lindung_core::rulepack::Programme;
use lindung_core::{
    Date, RecordId, Registration, RegistrationInput, Roster, RulePack, Status, Timestamp,
    VillageRef,
};
use serde::Serialize;

use crate::register::{missing_ranges, ActiveRecord, ReportData};

/// Output formats of `district report`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormat {
    Table,
    Csv,
    Json,
    Xlsx,
}

impl ReportFormat {
    pub fn parse(text: &str) -> Option<ReportFormat> {
        match text {
            "table" => Some(ReportFormat::Table),
            "csv" => Some(ReportFormat::Csv),
            "json" => Some(ReportFormat::Json),
            "xlsx" => Some(ReportFormat::Xlsx),
            _ => None,
        }
    }
}

/// Why a report could not be made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReportError {
    /// The core could not price a village's roster with the pack.
    Budget {
        village: String,
        code: String,
    },
    Xlsx(String),
}

impl fmt::Display for ReportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReportError::Budget { village, code } => {
                write!(
                    f,
                    "village {village}: no budget with this rule pack ({code})"
                )
            }
            ReportError::Xlsx(message) => write!(f, "xlsx: {message}"),
        }
    }
}

impl std::error::Error for ReportError {}

/// Net rupiah per programme and funding source over a period.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Money {
    #[serde(rename = "JKK")]
    pub jkk: i64,
    #[serde(rename = "JKM")]
    pub jkm: i64,
    #[serde(rename = "JHT")]
    pub jht: i64,
    pub total: i64,
    pub by_funding_source: BTreeMap<String, i64>,
}

impl Money {
    fn add(&mut self, other: &Money) {
        self.jkk += other.jkk;
        self.jkm += other.jkm;
        self.jht += other.jht;
        self.total += other.total;
        for (source, amount) in &other.by_funding_source {
            *self.by_funding_source.entry(source.clone()).or_insert(0) += amount;
        }
    }

    fn source(&self, code: &str) -> i64 {
        self.by_funding_source.get(code).copied().unwrap_or(0)
    }
}

/// A run of missing bundle sequences of one device.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Gap {
    pub kid: String,
    pub first: u64,
    pub last: u64,
}

/// The figures of one village, district or regency.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Figures {
    pub code: String,
    /// The village's name; empty for a district or regency.
    pub name: String,
    /// Names of the agents whose devices sent its records.
    pub agents: Vec<String>,
    pub villages: u32,
    pub funded_slots: u32,
    pub funded: u32,
    pub waitlisted: u32,
    pub apparatus: u32,
    /// Funded / funded slots in tenths of a percent, half up; `None` without slots.
    pub coverage_permille: Option<u32>,
    pub monthly: Money,
    pub yearly: Money,
    /// NIKs of its active records also held by another active record.
    pub duplicate_niks: u32,
    /// Missing sequences of the devices that sent its records.
    pub missing_sequences: u64,
    pub gaps: Vec<Gap>,
    /// Active records that could not enter the roster: the report's pack
    /// does not accept them, or a repeated NIK inside the village.
    pub skipped_records: u32,
    /// Active records the district quarantined when they arrived.
    pub quarantined_records: u64,
    #[serde(skip)]
    kids: BTreeSet<String>,
    #[serde(skip)]
    niks: BTreeSet<String>,
}

impl Figures {
    fn absorb(&mut self, village: &Figures) {
        self.villages += village.villages;
        self.funded_slots += village.funded_slots;
        self.funded += village.funded;
        self.waitlisted += village.waitlisted;
        self.apparatus += village.apparatus;
        self.monthly.add(&village.monthly);
        self.yearly.add(&village.yearly);
        self.skipped_records += village.skipped_records;
        self.quarantined_records += village.quarantined_records;
        self.kids.extend(village.kids.iter().cloned());
        self.niks.extend(village.niks.iter().cloned());
        for agent in &village.agents {
            if !self.agents.contains(agent) {
                self.agents.push(agent.clone());
            }
        }
    }

    /// Coverage as text, "66.7" (no slots: "-").
    pub fn coverage_text(&self) -> String {
        match self.coverage_permille {
            Some(permille) => format!("{}.{}", permille / 10, permille % 10),
            None => "-".to_owned(),
        }
    }
}

/// The rule pack a report was made with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PackInfo {
    pub id: String,
    pub version: String,
}

/// The whole report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The first month, `YYYY-MM`; the yearly budget is 12 months from it.
    pub month: String,
    pub pack: PackInfo,
    /// Funding source codes, the pack's first, then any others seen.
    pub funding_sources: Vec<String>,
    pub villages: Vec<Figures>,
    /// Per kecamatan (`PP.KK.CC`).
    pub districts: Vec<Figures>,
    /// Per kabupaten/kota (`PP.KK`).
    pub regencies: Vec<Figures>,
}

fn coverage(funded: u32, slots: u32) -> Option<u32> {
    if slots == 0 {
        return None;
    }
    let tenths = (u64::from(funded) * 2000 + u64::from(slots)) / (2 * u64::from(slots));
    u32::try_from(tenths).ok()
}

/// The gaps of each device: sequences from 1 to its highest stored one that
/// are not in the register ([`missing_ranges`]), so a bundle that arrived
/// late closes or narrows its gap.
fn gaps_by_kid(sequences: &[(String, u64)]) -> BTreeMap<String, Vec<Gap>> {
    let mut by_kid: BTreeMap<&str, BTreeSet<u64>> = BTreeMap::new();
    for (kid, sequence) in sequences {
        by_kid.entry(kid).or_default().insert(*sequence);
    }
    by_kid
        .into_iter()
        .map(|(kid, seen)| {
            let gaps = missing_ranges(seen)
                .into_iter()
                .map(|(first, last)| Gap {
                    kid: kid.to_owned(),
                    first,
                    last,
                })
                .collect();
            (kid.to_owned(), gaps)
        })
        .collect()
}

/// The registration a merged record carries, restored through the core's
/// own check against `pack` on the day the district registered it; `None`
/// when `pack` does not accept it.
fn registration_of(record: &ActiveRecord, pack: &RulePack) -> Option<Registration> {
    let input = RegistrationInput {
        nik: record.nik.clone(),
        name: record.name.clone(),
        birth_date: record.birth_date.clone(),
        sex: record.sex.clone(),
        segment: record.segment.clone(),
        category: record.category.clone(),
        funding_source: record.funding_source.clone(),
        with_jht: record.with_jht,
    };
    restore_registration(
        &input,
        pack,
        Timestamp::from_millis(record.registered_ms).date(),
    )
}

fn money(b: &lindung_core::Budget) -> Money {
    let programme = |p| b.by_programme().get(&p).copied().unwrap_or(0);
    Money {
        jkk: programme(Programme::Jkk),
        jkm: programme(Programme::Jkm),
        jht: programme(Programme::Jht),
        total: b.total(),
        by_funding_source: b.by_funding_source().clone(),
    }
}

/// A village's roster as the district rebuilds it (see the module's
/// documentation): its active, accepted records restored through the core,
/// in the district's registration order, with `slots` funded slots.
pub struct VillageRoster {
    /// `None` when the village's code or name is not one the core takes.
    pub roster: Option<Roster>,
    /// The NIKs of the records restored.
    pub niks: Vec<String>,
    /// Records the core could not restore (or refused in the roster).
    pub skipped: u32,
}

/// Rebuilds the roster of village `code` (`name`, if known) from `records`.
pub fn village_roster(
    code: &str,
    name: &str,
    records: &[&ActiveRecord],
    pack: &RulePack,
    slots: u32,
) -> VillageRoster {
    let mut skipped = 0;
    let mut niks = Vec::new();
    let mut entries: Vec<(&ActiveRecord, RecordId, Registration)> = Vec::new();
    for &record in records {
        let restored = registration_of(record, pack)
            .and_then(|r| RecordId::new(record.record_id.as_str()).map(|id| (id, r)));
        match restored {
            Some((id, registration)) => {
                niks.push(registration.nik.as_str().to_owned());
                entries.push((record, id, registration));
            }
            None => skipped += 1,
        }
    }
    entries.sort_by(|(a, ..), (b, ..)| {
        (a.registered_ms, a.arrival, a.created_ms, &a.record_id).cmp(&(
            b.registered_ms,
            b.arrival,
            b.created_ms,
            &b.record_id,
        ))
    });
    // Villages are stored only with codes the core accepts; a record's
    // village the register has no name for is shown by its code.
    let shown = if name.trim().is_empty() { code } else { name };
    let Ok(village) = VillageRef::new(code, shown) else {
        return VillageRoster {
            roster: None,
            niks,
            skipped: skipped + entries.len() as u32,
        };
    };
    let restored = entries
        .into_iter()
        .map(|(_, id, registration)| (id, registration));
    let (roster, rejected) = Roster::restore(village, slots, restored);
    VillageRoster {
        roster: Some(roster),
        niks,
        skipped: skipped + rejected.len() as u32,
    }
}

/// Builds the report: `month` is any day of the first month.
pub fn build(data: &ReportData, pack: &RulePack, month: Date) -> Result<Report, ReportError> {
    let month = month.first_of_month();
    let names: BTreeMap<&str, &str> = data
        .agent_names
        .iter()
        .map(|(kid, name)| (kid.as_str(), name.as_str()))
        .collect();
    let gaps = gaps_by_kid(&data.sequences);
    let duplicates: BTreeSet<&str> = data.duplicate_niks.iter().map(String::as_str).collect();
    // Every village gets the district pack's funded slots: a device's
    // declared number is never used.
    let slots = pack.funded_slots_per_village();
    let mut villages: BTreeMap<String, (String, u32)> = data
        .villages
        .iter()
        .map(|(code, name)| (code.clone(), (name.clone(), slots)))
        .collect();
    // Each village's active records and senders, grouped once.
    let mut active: BTreeMap<&str, Vec<&ActiveRecord>> = BTreeMap::new();
    for record in &data.active {
        villages
            .entry(record.village.clone())
            .or_insert_with(|| (String::new(), slots));
        active.entry(&record.village).or_default().push(record);
    }
    // A village only quarantined records name is shown if its code is one
    // (a malformed code is listed by `quarantine list`, not reported).
    for (village, _) in &data.quarantined {
        if lindung_core::judge::village_problems(village, village).is_empty() {
            villages
                .entry(village.clone())
                .or_insert_with(|| (String::new(), slots));
        }
    }
    let quarantined: BTreeMap<&str, u64> = data
        .quarantined
        .iter()
        .map(|(village, count)| (village.as_str(), *count))
        .collect();
    let mut senders: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (village, kid) in &data.senders {
        senders.entry(village).or_default().push(kid);
    }
    let mut sources: Vec<String> = pack
        .funding_sources()
        .iter()
        .map(|f| f.code.clone())
        .collect();
    let mut report = Report {
        month: format!("{:04}-{:02}", month.year(), month.month()),
        pack: PackInfo {
            id: pack.id().to_owned(),
            version: pack.version().to_owned(),
        },
        funding_sources: Vec::new(),
        villages: Vec::new(),
        districts: Vec::new(),
        regencies: Vec::new(),
    };
    for (code, (name, slots)) in &villages {
        let mut figures = Figures {
            code: code.clone(),
            name: name.clone(),
            villages: 1,
            funded_slots: *slots,
            quarantined_records: quarantined.get(code.as_str()).copied().unwrap_or(0),
            ..Figures::default()
        };
        let rebuilt = village_roster(
            code,
            name,
            active.get(code.as_str()).map_or(&[][..], Vec::as_slice),
            pack,
            *slots,
        );
        figures.skipped_records += rebuilt.skipped;
        figures.niks.extend(rebuilt.niks);
        let Some(roster) = rebuilt.roster else {
            report.villages.push(figures);
            continue;
        };
        for (_, status) in roster.entries() {
            match status {
                Status::Funded => figures.funded += 1,
                Status::Waitlisted { .. } => figures.waitlisted += 1,
                Status::Apparatus => figures.apparatus += 1,
            }
        }
        let priced = |months| {
            budget(&roster, pack, month, months).map_err(|e| ReportError::Budget {
                village: code.clone(),
                code: e.code().to_owned(),
            })
        };
        figures.monthly = money(&priced(1)?);
        figures.yearly = money(&priced(12)?);
        for source in figures.yearly.by_funding_source.keys() {
            if !sources.contains(source) {
                sources.push(source.clone());
            }
        }
        let mut agents: Vec<String> = Vec::new();
        for &kid in senders.get(code.as_str()).into_iter().flatten() {
            figures.kids.insert(kid.to_owned());
            let name = names.get(kid).copied().unwrap_or(kid).to_owned();
            if !agents.contains(&name) {
                agents.push(name);
            }
        }
        agents.sort();
        figures.agents = agents;
        report.villages.push(figures);
    }
    let mut districts: BTreeMap<String, Figures> = BTreeMap::new();
    let mut regencies: BTreeMap<String, Figures> = BTreeMap::new();
    for village in &report.villages {
        for (groups, len) in [(&mut districts, 8), (&mut regencies, 5)] {
            let code: String = village.code.chars().take(len).collect();
            groups
                .entry(code.clone())
                .or_insert_with(|| Figures {
                    code,
                    ..Figures::default()
                })
                .absorb(village);
        }
    }
    report.districts = districts.into_values().collect();
    report.regencies = regencies.into_values().collect();
    for figures in report
        .villages
        .iter_mut()
        .chain(report.districts.iter_mut())
        .chain(report.regencies.iter_mut())
    {
        figures.agents.sort();
        figures.coverage_permille = coverage(figures.funded, figures.funded_slots);
        figures.duplicate_niks = figures
            .niks
            .iter()
            .filter(|nik| duplicates.contains(nik.as_str()))
            .count() as u32;
        figures.gaps = figures
            .kids
            .iter()
            .flat_map(|kid| gaps.get(kid).into_iter().flatten().cloned())
            .collect();
        figures.missing_sequences = figures.gaps.iter().map(|g| g.last - g.first + 1).sum();
    }
    report.funding_sources = sources;
    Ok(report)
}

/// One cell of the flat form shared by the table, CSV and XLSX.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    Count(u64),
    Rupiah(i64),
    /// Tenths of a percent; `None` without funded slots.
    Percent(Option<u32>),
}

/// The header row and one row per village, district and regency.
pub fn rows(report: &Report) -> (Vec<String>, Vec<Vec<Cell>>) {
    let mut headers: Vec<String> = [
        "level",
        "code",
        "name",
        "agents",
        "villages",
        "funded_slots",
        "funded",
        "waitlisted",
        "apparatus",
        "coverage_percent",
        "monthly_JKK",
        "monthly_JKM",
        "monthly_JHT",
        "monthly_total",
        "yearly_JKK",
        "yearly_JKM",
        "yearly_JHT",
        "yearly_total",
    ]
    .map(str::to_owned)
    .to_vec();
    for period in ["monthly", "yearly"] {
        for source in &report.funding_sources {
            headers.push(format!("{period}_{source}"));
        }
    }
    headers.push("duplicate_niks".into());
    headers.push("missing_sequences".into());
    headers.push("skipped_records".into());
    headers.push("quarantined_records".into());
    let levels = [
        ("village", &report.villages),
        ("district", &report.districts),
        ("regency", &report.regencies),
    ];
    let mut out = Vec::new();
    for (level, list) in levels {
        for f in list {
            let mut row = vec![
                Cell::Text(level.into()),
                Cell::Text(f.code.clone()),
                Cell::Text(f.name.clone()),
                Cell::Text(f.agents.join("; ")),
                Cell::Count(f.villages.into()),
                Cell::Count(f.funded_slots.into()),
                Cell::Count(f.funded.into()),
                Cell::Count(f.waitlisted.into()),
                Cell::Count(f.apparatus.into()),
                Cell::Percent(f.coverage_permille),
            ];
            for m in [&f.monthly, &f.yearly] {
                row.extend([m.jkk, m.jkm, m.jht, m.total].map(Cell::Rupiah));
            }
            for m in [&f.monthly, &f.yearly] {
                for source in &report.funding_sources {
                    row.push(Cell::Rupiah(m.source(source)));
                }
            }
            row.push(Cell::Count(f.duplicate_niks.into()));
            row.push(Cell::Count(f.missing_sequences));
            row.push(Cell::Count(f.skipped_records.into()));
            row.push(Cell::Count(f.quarantined_records));
            out.push(row);
        }
    }
    (headers, out)
}

fn plain(cell: &Cell) -> String {
    match cell {
        Cell::Text(text) => text.clone(),
        Cell::Count(n) => n.to_string(),
        Cell::Rupiah(n) => n.to_string(),
        Cell::Percent(Some(p)) => format!("{}.{}", p / 10, p % 10),
        Cell::Percent(None) => String::new(),
    }
}

/// A CSV field. A text cell that a spreadsheet would read as a formula
/// (it begins with `=`, `+`, `-`, `@`, a tab or a carriage return: names
/// and village names come from devices) is neutralised with a leading `'`,
/// as OWASP advises for CSV injection; numbers are never touched.
fn csv_text(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        csv_field(&format!("'{text}"))
    } else {
        csv_field(text)
    }
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// CSV: a header row, then one row per village, district and regency, with
/// plain integers (rupiah) and coverage as `66.7` (empty without slots).
pub fn write_csv(report: &Report, out: &mut impl Write) -> io::Result<()> {
    let (headers, rows) = rows(report);
    writeln!(out, "{}", headers.join(","))?;
    for row in rows {
        let fields: Vec<String> = row
            .iter()
            .map(|c| match c {
                Cell::Text(text) => csv_text(text),
                other => csv_field(&plain(other)),
            })
            .collect();
        writeln!(out, "{}", fields.join(","))?;
    }
    Ok(())
}

/// JSON: one object, integers for money and counts.
pub fn write_json(report: &Report, out: &mut impl Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    writeln!(out)
}

/// Aligned text for people: Rupiah as "Rp39.000", coverage as "66.7%".
pub fn write_table(report: &Report, out: &mut impl Write) -> io::Result<()> {
    writeln!(
        out,
        "Report for {} (yearly: 12 months from it), rule pack {} {}",
        report.month, report.pack.id, report.pack.version
    )?;
    let (headers, rows) = rows(report);
    let text: Vec<Vec<(String, bool)>> = rows
        .iter()
        .map(|row| {
            row.iter()
                .map(|cell| match cell {
                    Cell::Text(t) => (t.clone(), false),
                    Cell::Count(n) => (n.to_string(), true),
                    Cell::Rupiah(n) => (rupiah(*n), true),
                    Cell::Percent(Some(p)) => (format!("{}.{}%", p / 10, p % 10), true),
                    Cell::Percent(None) => ("-".to_owned(), true),
                })
                .collect()
        })
        .collect();
    let widths: Vec<usize> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            text.iter()
                .map(|row| row[i].0.chars().count())
                .chain([h.chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: Vec<(String, bool)>| -> String {
        let parts: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|((t, right), w)| {
                if *right {
                    format!("{t:>w$}")
                } else {
                    format!("{t:<w$}")
                }
            })
            .collect();
        parts.join("  ").trim_end().to_owned()
    };
    let numeric: Vec<bool> = rows
        .first()
        .map(|r| r.iter().map(|c| !matches!(c, Cell::Text(_))).collect())
        .unwrap_or_else(|| vec![false; headers.len()]);
    writeln!(
        out,
        "{}",
        line(headers.iter().cloned().zip(numeric).collect())
    )?;
    for row in text {
        writeln!(out, "{}", line(row))?;
    }
    Ok(())
}

/// The XLSX workbook: one sheet, "Laporan", a bold header row, numbers as
/// numbers, Rupiah as `"Rp"#,##0`, coverage as a percentage.
pub fn xlsx_bytes(report: &Report) -> Result<Vec<u8>, ReportError> {
    use rust_xlsxwriter::{Format, Workbook};
    let err = |e: rust_xlsxwriter::XlsxError| ReportError::Xlsx(e.to_string());
    let (headers, rows) = rows(report);
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Laporan").map_err(err)?;
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("\"Rp\"#,##0");
    let percent = Format::new().set_num_format("0.0%");
    for (col, header) in headers.iter().enumerate() {
        sheet
            .write_string_with_format(0, col as u16, header, &bold)
            .map_err(err)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Text(t) => sheet.write_string(r, c, t).map(|_| ()),
                Cell::Count(n) => sheet.write_number(r, c, *n as f64).map(|_| ()),
                Cell::Rupiah(n) => sheet
                    .write_number_with_format(r, c, *n as f64, &money)
                    .map(|_| ()),
                Cell::Percent(Some(p)) => sheet
                    .write_number_with_format(r, c, f64::from(*p) / 1000.0, &percent)
                    .map(|_| ()),
                Cell::Percent(None) => Ok(()),
            }
            .map_err(err)?;
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(err)?;
    workbook.save_to_buffer().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coverage_rounds_half_up_to_tenths() {
        assert_eq!(coverage(2, 3), Some(667));
        assert_eq!(coverage(1, 3), Some(333));
        assert_eq!(coverage(1, 8), Some(125));
        assert_eq!(coverage(1, 16), Some(63)); // 6.25 → 6.3
        assert_eq!(coverage(0, 5), Some(0));
        assert_eq!(coverage(3, 0), None);
    }

    #[test]
    fn gaps_are_the_missing_sequences_up_to_the_highest() {
        let seqs = [("a", 1), ("a", 4), ("a", 7), ("b", 2)]
            .map(|(k, s)| (k.to_owned(), s))
            .to_vec();
        let gaps = gaps_by_kid(&seqs);
        let a: Vec<(u64, u64)> = gaps["a"].iter().map(|g| (g.first, g.last)).collect();
        assert_eq!(a, [(2, 3), (5, 6)]);
        assert_eq!(gaps["b"][0].first, 1);
        assert_eq!(gaps["b"][0].last, 1);
    }

    #[test]
    fn csv_fields_are_quoted_when_needed() {
        assert_eq!(csv_field("Siti; Budi"), "Siti; Budi");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }

    #[test]
    fn csv_text_that_a_spreadsheet_would_run_is_neutralised() {
        let cases = [
            ("Siti", "Siti"),
            ("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\""),
            ("+62 811", "'+62 811"),
            ("-1", "'-1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tcmd", "'\tcmd"),
            ("a=b", "a=b"),
        ];
        for (text, expected) in cases {
            assert_eq!(csv_text(text), expected, "{text:?}");
        }
    }
}
