//! What the next bundle carries, and how long changes have waited on the phone.
//!
//! A device remembers, for every bundle it made, the (record id, revision)
//! pairs the bundle carried ([`SentRecord`]; together: [`Sent`]). The next
//! bundle carries every record whose revision is above the one last sent (a
//! record never sent counts as revision 0): new records, edits and removals
//! since the last bundle, each record once, at its latest revision with its
//! whole history. So the first bundle carries everything, and exporting with
//! nothing changed is [`ExportError::NothingToExport`], never an empty bundle.
//!
//! One exception keeps every bundle acceptable to the district: a bundle file
//! never exceeds [`NextInput::max_bytes`] (the district's limit,
//! [`crate::bundle::Limits::DEFAULT`]: 32 MB, about 40,000 records with a
//! short history). When the changes would not fit, the bundle carries the
//! oldest changes that do, in creation order, and the rest stay pending for
//! the next bundle: nothing is left out, it only takes more than one.
//!
//! Pure, like the rest of the core: the caller passes the time, the bundle id
//! and the previous bundle's sequence and chain hash.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::bundle::{build_payload, BuildError, BundlePayload, BundleVillage, PackDigest};
use crate::record::{Agent, Timestamp, WorkerRecord};
use crate::roster::{RecordId, Status};
use crate::workspace::Workspace;
use crate::Lang;

/// One record as a bundle carried it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentRecord {
    pub id: String,
    pub revision: u32,
}

/// The highest revision of each record that some bundle carried.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sent(HashMap<String, u32>);

impl Sent {
    /// What the bundles whose contents are `lists` carried, together.
    pub fn of<'a>(lists: impl IntoIterator<Item = &'a [SentRecord]>) -> Sent {
        let mut sent = Sent::default();
        for list in lists {
            sent.add(list);
        }
        sent
    }

    /// Adds what one bundle carried.
    pub fn add<'a>(&mut self, contents: impl IntoIterator<Item = &'a SentRecord>) {
        for sent in contents {
            let revision = self.0.entry(sent.id.clone()).or_insert(0);
            *revision = (*revision).max(sent.revision);
        }
    }

    /// The revision of `id` last sent; 0 if it never was.
    pub fn revision(&self, id: &str) -> u32 {
        self.0.get(id).copied().unwrap_or(0)
    }
}

/// Per village, what a bundle carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VillageSummary {
    pub code: String,
    pub name: String,
    /// Active records never sent before.
    pub new: u32,
    /// Active records sent before at a lower revision (edited since).
    pub changed: u32,
    /// Removed records.
    pub removed: u32,
}

impl VillageSummary {
    pub fn total(&self) -> u32 {
        self.new + self.changed + self.removed
    }
}

/// The records changed since they were last sent, in creation order, each
/// with its status in its village's roster (`None` once removed).
pub fn pending(workspace: &Workspace, sent: &Sent) -> Vec<(WorkerRecord, Option<Status>)> {
    let changed: Vec<&WorkerRecord> = workspace
        .records()
        .into_iter()
        .filter(|r| r.revision() > sent.revision(r.id().as_str()))
        .collect();
    // Statuses come from one pass over each roster concerned: asking a
    // roster for one status at a time is linear each time.
    let mut statuses: HashMap<&RecordId, Status> = HashMap::new();
    let mut villages: Vec<&str> = changed.iter().map(|r| r.village()).collect();
    crate::order::sort_by(&mut villages, |a, b| a.cmp(b));
    villages.dedup();
    for code in villages {
        if let Some(roster) = workspace.roster(code) {
            statuses.extend(roster.entries().map(|(entry, status)| (entry.id(), status)));
        }
    }
    changed
        .into_iter()
        .map(|record| {
            let status = if record.is_active() {
                statuses.get(record.id()).copied()
            } else {
                None
            };
            (record.clone(), status)
        })
        .collect()
}

/// Counts per village of `records` (changed since `sent`).
pub fn summarize<'a>(
    workspace: &Workspace,
    records: impl IntoIterator<Item = &'a WorkerRecord>,
    sent: &Sent,
) -> Vec<VillageSummary> {
    // By code; a sorted list rather than a map type of its own in the wasm.
    let mut by_code: Vec<VillageSummary> = Vec::new();
    for record in records {
        let code = record.village();
        let index = match by_code.binary_search_by(|s| s.code.as_str().cmp(code)) {
            Ok(index) => index,
            Err(index) => {
                let name = workspace
                    .roster(code)
                    .map(|r| r.village().name().to_owned())
                    .unwrap_or_default();
                let summary = VillageSummary {
                    code: code.to_owned(),
                    name,
                    new: 0,
                    changed: 0,
                    removed: 0,
                };
                by_code.insert(index, summary);
                index
            }
        };
        let summary = &mut by_code[index];
        if !record.is_active() {
            summary.removed += 1;
        } else if sent.revision(record.id().as_str()) == 0 {
            summary.new += 1;
        } else {
            summary.changed += 1;
        }
    }
    by_code
}

/// What the next bundle would carry, per village, without building it.
pub fn pending_summary(workspace: &Workspace, sent: &Sent) -> Vec<VillageSummary> {
    let records = workspace
        .records()
        .into_iter()
        .filter(|r| r.revision() > sent.revision(r.id().as_str()));
    summarize(workspace, records, sent)
}

/// The bundle before the one being made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Previous<'a> {
    pub sequence: u64,
    /// Its signing input hash (`SignedBundle::signing_input_hash`).
    pub chain_hash: &'a str,
}

/// Everything the next bundle is made from, but the changes themselves.
#[derive(Clone, Copy, Debug)]
pub struct NextInput<'a> {
    pub previous: Option<Previous<'a>>,
    pub bundle_id: &'a str,
    pub device_kid: &'a str,
    pub agent: &'a Agent,
    pub created_at: Timestamp,
    pub rule_pack: &'a PackDigest,
    /// The largest bundle file to make, in bytes: the district's limit.
    pub max_bytes: usize,
}

/// The next bundle's payload (to sign), what it carries (to remember once
/// it is stored) and its summary (to show).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NextBundle {
    pub payload: BundlePayload,
    pub contents: Vec<SentRecord>,
    pub villages: Vec<VillageSummary>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExportError {
    /// Nothing changed since the last bundle.
    NothingToExport,
    /// The oldest change alone would make a bundle file larger than the
    /// limit (it cannot happen with records the app makes: a record would
    /// need about 100,000 history entries).
    TooLarge {
        record_id: String,
    },
    Build(BuildError),
}

impl ExportError {
    pub fn code(&self) -> &'static str {
        match self {
            ExportError::NothingToExport => "export.nothing",
            ExportError::TooLarge { .. } => "export.too_large",
            ExportError::Build(error) => error.code(),
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        match self {
            ExportError::NothingToExport => lang
                .pick(
                    "Tidak ada data baru sejak pengiriman terakhir: tidak ada bundel yang dibuat.",
                    "Nothing new since the last export: no bundle was made.",
                )
                .to_owned(),
            ExportError::TooLarge { record_id } => match lang {
                Lang::Id => format!(
                    "Data {record_id} terlalu besar untuk satu bundel. Hubungi kantor kabupaten."
                ),
                Lang::En => format!(
                    "Record {record_id} is too large for one bundle. Contact the district office."
                ),
            },
            ExportError::Build(error) => match lang {
                Lang::Id => format!("Bundel tidak dapat dibuat ({}).", error.code()),
                Lang::En => format!("The bundle could not be made ({}).", error.code()),
            },
        }
    }
}

/// The next bundle: every change since the last one, or as many of the
/// oldest as fit in `input.max_bytes` (see the module text).
pub fn next_bundle(
    workspace: &Workspace,
    sent: &Sent,
    input: NextInput<'_>,
) -> Result<NextBundle, ExportError> {
    let mut records = pending(workspace, sent);
    if records.is_empty() {
        return Err(ExportError::NothingToExport);
    }
    let mut next = build_next(workspace, sent, &input, &records)?;
    let fits = fitting_records(&next.payload, input.max_bytes);
    if fits < records.len() {
        if fits == 0 {
            return Err(ExportError::TooLarge {
                record_id: records[0].0.id().as_str().to_owned(),
            });
        }
        records.truncate(fits);
        next = build_next(workspace, sent, &input, &records)?;
    }
    Ok(next)
}

fn build_next(
    workspace: &Workspace,
    sent: &Sent,
    input: &NextInput<'_>,
    records: &[(WorkerRecord, Option<Status>)],
) -> Result<NextBundle, ExportError> {
    let summary = summarize(workspace, records.iter().map(|(r, _)| r), sent);
    let villages: Vec<BundleVillage> = summary
        .iter()
        .filter_map(|v| workspace.roster(&v.code))
        .map(|roster| BundleVillage {
            code: roster.village().code().to_owned(),
            name: roster.village().name().to_owned(),
            funded_slots: roster.funded_slots(),
        })
        .collect();
    let payload = build_payload(crate::bundle::PayloadInput {
        bundle_id: input.bundle_id,
        device_kid: input.device_kid,
        agent: input.agent,
        sequence: input.previous.map_or(1, |p| p.sequence + 1),
        previous: input.previous.map(|p| p.chain_hash),
        created_at: input.created_at,
        rule_pack: input.rule_pack,
        villages: &villages,
        records,
    })
    .map_err(ExportError::Build)?;
    let contents = records
        .iter()
        .map(|(record, _)| SentRecord {
            id: record.id().as_str().to_owned(),
            revision: record.revision(),
        })
        .collect();
    Ok(NextBundle {
        payload,
        contents,
        villages: summary,
    })
}

/// Room in a bundle file for what is not the payload: the JSON members, the
/// protected header with its key (about 300 bytes in base64url) and the
/// signature (86), with a wide margin.
const JWS_OVERHEAD: usize = 2048;

/// How many of `payload`'s records, from the first, fit in a bundle file of
/// `max_bytes`. (With fewer records the villages can only shrink, so the
/// count errs on the safe side.)
fn fitting_records(payload: &BundlePayload, max_bytes: usize) -> usize {
    let json_len = |json: serde_json::Result<Vec<u8>>| json.map_or(usize::MAX, |j| j.len());
    // The payload travels base64url-encoded: 4 characters per 3 bytes.
    let budget = max_bytes.saturating_sub(JWS_OVERHEAD) / 4 * 3;
    let total = json_len(serde_json::to_vec(payload));
    if total <= budget {
        return payload.records.len();
    }
    let sizes: Vec<usize> = payload
        .records
        .iter()
        .map(|record| json_len(serde_json::to_vec(record)))
        .collect();
    // The records' JSON and the commas between them.
    let records_len = sizes.iter().sum::<usize>() + sizes.len().saturating_sub(1);
    let mut used = total.saturating_sub(records_len);
    for (count, size) in sizes.into_iter().enumerate() {
        used = used.saturating_add(size + usize::from(count > 0));
        if used > budget {
            return count;
        }
    }
    payload.records.len()
}

/// The time of the oldest change not yet in any bundle, if there is one.
pub fn oldest_unsent(workspace: &Workspace, sent: &Sent) -> Option<Timestamp> {
    workspace
        .records()
        .into_iter()
        .filter_map(|record| {
            let sent = sent.revision(record.id().as_str());
            record
                .history()
                .iter()
                .filter(|h| h.revision > sent)
                .map(|h| h.at)
                .min()
        })
        .min()
}

/// Whole days (24-hour periods) from `since` to `now`; 0 if `since` is later.
pub fn days_between(since: Timestamp, now: Timestamp) -> u32 {
    let days = (now.millis() - since.millis()).max(0) / 86_400_000;
    u32::try_from(days).unwrap_or(u32::MAX)
}

/// Whether unsent changes have waited `warn_after_days` or more: the phone
/// holds data that is lost with it. `None` for `warn_after_days`: the rule
/// pack asks for no warning.
pub fn at_risk(
    oldest_unsent: Option<Timestamp>,
    now: Timestamp,
    warn_after_days: Option<u32>,
) -> bool {
    match (oldest_unsent, warn_after_days) {
        (Some(oldest), Some(days)) => days_between(oldest, now) >= days,
        _ => false,
    }
}

/// The name a bundle file goes by: `lindung-<first 8 characters of kid>-<sequence,
/// 4 digits>.json`, unique per device and bundle (docs/bundle-format.md).
pub fn file_name(kid: &str, sequence: u64) -> String {
    let kid: String = kid.chars().take(8).collect();
    format!("lindung-{kid}-{sequence:04}.json")
}

/// Where a device stands with its exports, for the home screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Standing {
    /// When data last left the phone (a bundle downloaded, shared or delivered).
    pub last_export: Option<Timestamp>,
    /// Records with changes that have not left the phone.
    pub waiting: u32,
    /// The oldest of those changes.
    pub oldest_unsent: Option<Timestamp>,
    /// Whether that change has waited the rule pack's `warn_after_days`.
    pub at_risk: bool,
}

/// Where the device stands. `bundles` gives, per bundle, what it carried and
/// when it left the phone: only a bundle that left it counts as sent, since
/// one still waiting on the phone is lost with it.
pub fn standing<'a>(
    workspace: &Workspace,
    bundles: impl IntoIterator<Item = (&'a [SentRecord], Option<Timestamp>)>,
    now: Timestamp,
    warn_after_days: Option<u32>,
) -> Standing {
    let mut last_export = None;
    let mut lists = Vec::new();
    for (contents, left_at) in bundles {
        if let Some(at) = left_at {
            last_export = last_export.max(Some(at));
            lists.push(contents);
        }
    }
    let sent = Sent::of(lists);
    let waiting = pending_summary(workspace, &sent)
        .iter()
        .map(VillageSummary::total)
        .sum();
    let oldest_unsent = oldest_unsent(workspace, &sent);
    Standing {
        last_export,
        waiting,
        oldest_unsent,
        at_risk: at_risk(oldest_unsent, now, warn_after_days),
    }
}
