//! Ingest, approval and withdrawal: what a bundle changes in the register,
//! written once for both backends against [`Tx`].

use std::borrow::Cow;
use std::collections::HashMap;

use lindung_core::bundle::{BundleRecord, BundleStatus, Op, VerifiedBundle};
use lindung_core::judge::{self, registration_time, RecordVerdict, TimeWindow};
use lindung_core::Timestamp;

use super::{
    AgentInsert, AgentStatus, BundleInsert, BundleMeta, Checked, IngestOutcome, Mode, Packed,
    Prejudged, Quarantined, RecordHead, RecordRow, Register, RegisterError, Result, StoredPack, Tx,
};
use crate::judgement::{decide, missing_ranges, Decision, Link, Rejection, Source, Trust, View};

/// The register inside one transaction, as [`decide`] sees it.
pub(crate) struct TxView<'t>(pub &'t mut dyn Tx);

impl View for TxView<'_> {
    type Error = RegisterError;

    fn trust(&mut self, kid: &str) -> Result<Trust> {
        Ok(Trust::of(self.0.agent(kid)?.map(|(status, _)| status)))
    }

    fn stored(&mut self, kid: &str, sequence: u64) -> Result<Option<(Link, Source)>> {
        link(self.0, kid, sequence, false)
    }

    fn merged(&mut self, kid: &str, sequence: u64) -> Result<Option<(Link, Source)>> {
        link(self.0, kid, sequence, true)
    }
}

fn link(tx: &mut dyn Tx, kid: &str, sequence: u64, merged: bool) -> Result<Option<(Link, Source)>> {
    let Ok(sequence) = i64::try_from(sequence) else {
        return Ok(None);
    };
    Ok(tx
        .link(kid, sequence, merged)?
        .map(|link| (link, Source::Register)))
}

/// What the register notes about the rule pack a bundle names: `None` when
/// the district knows that pack (id, version) with that digest.
fn pack_note(tx: &mut dyn Tx, bundle: &VerifiedBundle) -> Result<Option<&'static str>> {
    let named = &bundle.payload.rule_pack;
    let digests = tx.known_pack(&named.id, &named.version)?;
    Ok(if digests.is_empty() {
        Some("pack.unknown")
    } else if !digests.contains(&named.digest) {
        Some("pack.digest_mismatch")
    } else {
        None
    })
}

/// The earliest time a record first seen in bundle `sequence` may be
/// ordered at: the latest arrival of the device's earlier bundles, or its
/// enrolment (a device's first bundle), whichever is later; `received` when
/// the register knows neither.
fn floor(tx: &mut dyn Tx, kid: &str, sequence: i64, received: i64) -> Result<i64> {
    let (enrolled, before) = tx.floor_times(kid, sequence)?;
    Ok(match (enrolled, before) {
        (None, None) => received,
        (a, b) => a.max(b).unwrap_or(received),
    })
}

/// Ingests one verified bundle in transaction `tx`: the outcome, and
/// whether to commit.
pub(crate) fn ingest_in(
    tx: &mut dyn Tx,
    bundle: &VerifiedBundle,
    packed: &Packed,
    pack: &StoredPack,
    prejudged: Option<&Prejudged>,
    received_at: Timestamp,
) -> Result<(IngestOutcome, bool)> {
    let kid = bundle.kid.as_str();
    let sequence = bundle.payload.sequence;
    tx.lock_device(kid)?;
    let decision = decide(&mut TxView(tx), bundle)?;
    let hold = match decision {
        Decision::AlreadyStored(_) => {
            let outcome = IngestOutcome::AlreadyIngested {
                kid: kid.to_owned(),
                sequence,
            };
            return Ok((outcome, false));
        }
        Decision::Reject(rejection) => return Ok((IngestOutcome::Rejected(rejection), false)),
        Decision::Hold { known } => Some(known),
        Decision::Merge => None,
    };
    // decide() refused sequences past i64::MAX.
    let seq = i64::try_from(sequence).map_err(|_| RegisterError::NotARegister)?;
    let received = received_at.millis();
    if hold == Some(false) {
        let agent = &bundle.payload.agent;
        tx.insert_agent(&AgentInsert {
            kid,
            name: &agent.name,
            agent_id: Some(&agent.id),
            status: AgentStatus::Pending,
            added_ms: received,
        })?;
    }
    let floor_ms = floor(tx, kid, seq, received)?;
    let note = pack_note(tx, bundle)?;
    let row = BundleInsert {
        kid,
        sequence: seq,
        hash: &bundle.signing_input_hash,
        previous: bundle.payload.previous.as_deref(),
        bundle_id: &bundle.payload.bundle_id,
        state: if hold.is_some() { "pending" } else { "merged" },
        packed,
        received_ms: received,
        floor_ms,
        pack_note: note,
    };
    let Some(arrival) = tx.insert_bundle(&row)? else {
        // The primary key says another transaction stored this (kid,
        // sequence) first: the same bundle, or a conflict.
        let outcome = match tx.link(kid, seq, false)? {
            Some(link) if link.hash == bundle.signing_input_hash => {
                IngestOutcome::AlreadyIngested {
                    kid: kid.to_owned(),
                    sequence,
                }
            }
            _ => IngestOutcome::Rejected(Rejection::Conflict(Source::Register)),
        };
        return Ok((outcome, false));
    };
    if hold.is_some() {
        let outcome = IngestOutcome::Pending {
            kid: kid.to_owned(),
            sequence,
        };
        return Ok((outcome, true));
    }
    let meta = BundleMeta {
        received_ms: received,
        floor_ms,
        arrival,
        merged: true,
        withdrawn: false,
    };
    let outcome = merge_records(tx, bundle, pack, prejudged, meta, note)?;
    Ok((outcome, true))
}

/// Merges the villages and records of a bundle stored as `meta`, using the
/// verdicts judged ahead where they were judged on the same date and pack.
fn merge_records(
    tx: &mut dyn Tx,
    bundle: &VerifiedBundle,
    pack: &StoredPack,
    prejudged: Option<&Prejudged>,
    meta: BundleMeta,
    note: Option<&'static str>,
) -> Result<IngestOutcome> {
    let kid = bundle.kid.as_str();
    let payload = &bundle.payload;
    let seq = i64::try_from(payload.sequence).unwrap_or(i64::MAX);
    // In code order, so two processes merging bundles of the same villages
    // take the villages' row locks in one order (no deadlock).
    let mut villages: Vec<_> = payload.villages.iter().collect();
    villages.sort_by(|a, b| a.code.cmp(&b.code));
    for village in villages {
        if judge::village_problems(&village.code, &village.name).is_empty() {
            tx.insert_village(&village.code, &village.name, village.funded_slots)?;
        }
    }
    let window = TimeWindow {
        floor: Timestamp::from_millis(meta.floor_ms),
        received_at: Timestamp::from_millis(meta.received_ms),
    };
    let villages = judge::Villages::new(&payload.villages);
    let judged: Vec<(Timestamp, Cow<'_, RecordVerdict>)> = payload
        .records
        .iter()
        .enumerate()
        .map(|(index, record)| {
            let registered = registration_time(record.created_at, window);
            let on = registered.date();
            let verdict = match prejudged.and_then(|p| p.verdict(index, on, pack)) {
                Some(verdict) => Cow::Borrowed(verdict),
                None => Cow::Owned(judge::judge_record(record, &villages, &pack.pack, on)),
            };
            (registered, verdict)
        })
        .collect();
    // The records whose key no other record of the bundle has are inserted
    // in one request first; each of them is on its own in what follows.
    let mut keys: HashMap<(&str, &str), usize> = HashMap::with_capacity(payload.records.len());
    for record in &payload.records {
        *keys
            .entry((&record.village, &record.record_id))
            .or_default() += 1;
    }
    let alone: Vec<bool> = payload
        .records
        .iter()
        .map(|record| keys[&(record.village.as_str(), record.record_id.as_str())] == 1)
        .collect();
    // In key order: each insert lands next to the one before (in a new
    // village, at the end of its range), which the database does fastest.
    // The order of inserts decides nothing else.
    let mut order: Vec<usize> = (0..payload.records.len()).filter(|&i| alone[i]).collect();
    order.sort_unstable_by_key(|&i| {
        let record = &payload.records[i];
        (record.village.as_str(), record.record_id.as_str())
    });
    let rows: Vec<_> = order
        .iter()
        .map(|&i| {
            let (registered, verdict) = &judged[i];
            let record = &payload.records[i];
            record_row(record, verdict, kid, seq, registered.millis(), meta.arrival)
        })
        .collect();
    let mut inserted = vec![false; payload.records.len()];
    for (&i, done) in order.iter().zip(tx.insert_records(&rows)?) {
        inserted[i] = done;
    }
    drop(rows);
    let (mut applied, mut ignored) = (0, 0);
    let mut quarantined = Vec::new();
    for ((record, (registered, verdict)), inserted) in
        payload.records.iter().zip(judged).zip(inserted)
    {
        if inserted {
            applied += 1;
            note_quarantine(&mut quarantined, record, &verdict.codes);
            continue;
        }
        let row = record_row(
            record,
            &verdict,
            kid,
            seq,
            registered.millis(),
            meta.arrival,
        );
        if tx.insert_record(&row)? {
            applied += 1;
            note_quarantine(&mut quarantined, record, &verdict.codes);
            continue;
        }
        let head = tx.record_head(&record.village, &record.record_id)?;
        let on = match against(head.as_ref(), kid, record) {
            Against::OtherDevice => {
                note_quarantine(&mut quarantined, record, &[judge::code::OTHER_DEVICE]);
                continue;
            }
            Against::Stale => {
                ignored += 1;
                continue;
            }
            Against::Revision(on) => on,
            // Gone between the insert and the read: nothing to change.
            Against::New => continue,
        };
        let verdict = if on.date() == registered.date() {
            verdict
        } else {
            Cow::Owned(judge::judge_record(
                record,
                &villages,
                &pack.pack,
                on.date(),
            ))
        };
        let row = record_row(record, &verdict, kid, seq, on.millis(), meta.arrival);
        tx.update_record(&row)?;
        applied += 1;
        note_quarantine(&mut quarantined, record, &verdict.codes);
    }
    tx.insert_quarantines(kid, seq, &quarantined)?;
    Ok(IngestOutcome::Merged {
        kid: kid.to_owned(),
        sequence: payload.sequence,
        applied,
        ignored,
        quarantined,
        missing: missing_ranges(tx.sequences(kid)?),
        pack_note: note,
    })
}

/// What a record of `kid` is against the register's record with its key.
enum Against {
    /// The register has no record with this key.
    New,
    /// Another device sent this record id first.
    OtherDevice,
    /// The register has this revision or a later one.
    Stale,
    /// A later revision, judged on the record's registration time.
    Revision(Timestamp),
}

fn against(head: Option<&RecordHead>, kid: &str, record: &BundleRecord) -> Against {
    match head {
        None => Against::New,
        Some(head) if head.kid != kid => Against::OtherDevice,
        Some(head) if record.revision <= head.revision => Against::Stale,
        Some(head) => Against::Revision(Timestamp::from_millis(head.registered_ms)),
    }
}

fn note_quarantine(list: &mut Vec<Quarantined>, record: &BundleRecord, codes: &[&'static str]) {
    if codes.is_empty() {
        return;
    }
    list.push(Quarantined {
        village: record.village.clone(),
        record_id: record.record_id.clone(),
        revision: record.revision,
        codes: codes.iter().map(|c| (*c).to_owned()).collect(),
    });
}

fn record_row<'a>(
    record: &'a BundleRecord,
    verdict: &'a RecordVerdict,
    kid: &'a str,
    sequence: i64,
    registered_ms: i64,
    arrival: i64,
) -> RecordRow<'a> {
    let name = match &verdict.registration {
        Some(registration) => registration.name.as_str(),
        None => record.name.as_str(),
    };
    RecordRow {
        village: &record.village,
        record_id: &record.record_id,
        revision: record.revision,
        removed: record.op == Op::Remove,
        nik: &verdict.nik,
        name,
        birth_date: record.birth_date.to_string(),
        sex: record.sex.code(),
        segment: &record.segment,
        category: &record.category,
        funding_source: match &verdict.registration {
            // The segment's default when the device left it empty.
            Some(registration) => registration.funding_source.as_str(),
            None => record.funding_source.as_str(),
        },
        with_jht: record.with_jht,
        status: status_text(record.status),
        created_ms: record.created_at.millis(),
        registered_ms,
        arrival,
        pack_id: &record.verdict.pack_id,
        pack_version: &record.verdict.pack_version,
        kid,
        sequence,
        quarantine: (!verdict.codes.is_empty()).then(|| verdict.codes.join(",")),
    }
}

/// A record status as the register stores it (the bundle's JSON name).
pub(crate) fn status_text(status: BundleStatus) -> &'static str {
    match status {
        BundleStatus::Funded => "funded",
        BundleStatus::Waitlisted => "waitlisted",
        BundleStatus::Apparatus => "apparatus",
        BundleStatus::Removed => "removed",
    }
}

/// The stored bundle `kid`/`sequence`, verified again (it was when it
/// arrived; this catches a damaged register).
fn stored_bundle(tx: &mut dyn Tx, kid: &str, sequence: i64) -> Result<Option<VerifiedBundle>> {
    let Some((encoding, data)) = tx.bundle_bytes(kid, sequence)? else {
        return Ok(None);
    };
    let bytes =
        Packed::unpack(&encoding, data).ok_or_else(|| super::stored_bundle_error(kid, sequence))?;
    crate::es256::verify(&bytes)
        .map(Some)
        .map_err(|_| super::stored_bundle_error(kid, sequence))
}

/// What a withdrawal changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Withdrawal {
    /// Records put back to the revision the device's other bundles hold.
    pub restored: usize,
    /// Records that only the withdrawn bundle held, now gone from the register.
    pub removed: usize,
}

impl Register {
    /// Verifies and ingests one bundle file received at `received_at`, in
    /// one transaction.
    pub fn ingest(&mut self, bytes: &[u8], received_at: Timestamp) -> Result<IngestOutcome> {
        match crate::es256::verify(bytes) {
            Ok(bundle) => self.ingest_verified(&bundle, &Packed::pack(bytes), None, received_at),
            Err(e) => Ok(IngestOutcome::Rejected(Rejection::Bundle(e))),
        }
    }

    /// Ingests a bundle verified beforehand (possibly on another thread).
    pub fn ingest_checked(
        &mut self,
        checked: &Checked,
        received_at: Timestamp,
    ) -> Result<IngestOutcome> {
        self.ingest_verified(
            &checked.bundle,
            &checked.packed,
            checked.prejudged.as_ref(),
            received_at,
        )
    }

    /// Ingests several verified bundles in one transaction, each as if in
    /// its own ([`Register::ingest_checked`]): a savepoint each, kept when
    /// it merged or was held, undone when it was rejected. Bundle `i` is
    /// received at `received_at[i]`. Nothing of any of them is in the
    /// register before the one commit; a register error undoes them all.
    /// One commit instead of many is what makes `district ingest` fast.
    pub fn ingest_group(&mut self, group: &[(&Checked, Timestamp)]) -> Result<Vec<IngestOutcome>> {
        let pack = self.pack()?;
        // Every device of the group locked first, in one order: two
        // processes merging groups of the same devices never wait on each
        // other in a circle.
        let mut kids: Vec<&str> = group.iter().map(|(c, _)| c.bundle.kid.as_str()).collect();
        kids.sort_unstable();
        kids.dedup();
        self.run(Mode::Write, |tx| {
            for kid in &kids {
                tx.lock_device(kid)?;
            }
            let mut outcomes = Vec::with_capacity(group.len());
            for (checked, received_at) in group {
                tx.savepoint()?;
                let (outcome, keep) = ingest_in(
                    tx,
                    &checked.bundle,
                    &checked.packed,
                    &pack,
                    checked.prejudged.as_ref(),
                    *received_at,
                )?;
                if keep {
                    tx.release()?;
                } else {
                    tx.rollback_to()?;
                }
                outcomes.push(outcome);
            }
            Ok((outcomes, true))
        })
    }

    fn ingest_verified(
        &mut self,
        bundle: &VerifiedBundle,
        packed: &Packed,
        prejudged: Option<&Prejudged>,
        received_at: Timestamp,
    ) -> Result<IngestOutcome> {
        let pack = self.pack()?;
        self.run(Mode::Write, |tx| {
            ingest_in(tx, bundle, packed, &pack, prejudged, received_at)
        })
    }

    /// Approves `kid`, then merges its pending bundles in sequence order,
    /// one transaction each, as received (their arrival, receipt time and
    /// order are those of when they were stored). A pending bundle that
    /// cannot merge (its chain broke) is dropped, so it is not tried again;
    /// the device can send a good one. Returns what happened to each.
    pub fn approve(&mut self, kid: &str) -> Result<Vec<(u64, IngestOutcome)>> {
        self.set_status_approved(kid)?;
        let pending = self.run(Mode::Read, |tx| Ok((tx.pending_sequences(kid)?, false)))?;
        let pack = self.pack()?;
        self.with_bulk(|register| {
            let mut outcomes = Vec::new();
            for sequence in pending {
                let outcome =
                    register.run(Mode::Write, |tx| merge_pending(tx, kid, sequence, &pack))?;
                if let Some(outcome) = outcome {
                    outcomes.push((sequence.unsigned_abs(), outcome));
                }
            }
            Ok(outcomes)
        })
    }

    fn set_status_approved(&mut self, kid: &str) -> Result<()> {
        let changed = self.run(Mode::Write, |tx| {
            let changed = tx.set_agent_status(kid, AgentStatus::Approved)?;
            Ok((changed, changed))
        })?;
        if !changed {
            return Err(RegisterError::NoSuchAgent(kid.to_owned()));
        }
        Ok(())
    }

    /// Takes the whole effect of bundle `kid`/`sequence` out of the
    /// register, for `reason`: its records go back to the revisions the
    /// device's other merged bundles hold (or leave the register if none
    /// does). The bundle stays stored, marked withdrawn, for audit; its
    /// sequence still counts for the chain and for gaps.
    pub fn withdraw(
        &mut self,
        kid: &str,
        sequence: u64,
        reason: &str,
        at: Timestamp,
    ) -> Result<Withdrawal> {
        let Ok(seq) = i64::try_from(sequence) else {
            return Err(RegisterError::NoSuchBundle {
                kid: kid.to_owned(),
                sequence,
            });
        };
        let pack = self.pack()?;
        self.run(Mode::Write, |tx| {
            tx.lock_device(kid)?;
            withdraw_in(tx, kid, seq, reason, at, &pack).map(|w| (w, true))
        })
    }
}

/// Merges the stored pending bundle `kid`/`sequence`, if it is still
/// pending: its outcome and whether to commit.
fn merge_pending(
    tx: &mut dyn Tx,
    kid: &str,
    sequence: i64,
    pack: &StoredPack,
) -> Result<(Option<IngestOutcome>, bool)> {
    tx.lock_device(kid)?;
    let Some(meta) = tx.bundle_meta(kid, sequence)? else {
        return Ok((None, false));
    };
    if meta.merged || meta.withdrawn {
        return Ok((None, false));
    }
    let bundle = match stored_bundle(tx, kid, sequence) {
        Ok(Some(bundle)) => bundle,
        Ok(None) => return Ok((None, false)),
        Err(error) => return Err(error),
    };
    let broken = crate::judgement::chain_break(
        bundle.payload.sequence,
        &bundle.signing_input_hash,
        bundle.payload.previous.as_deref(),
        |s| link(tx, kid, s, true),
    )?;
    if let Some(rejection) = broken {
        tx.delete_bundle(kid, sequence)?;
        return Ok((Some(IngestOutcome::Rejected(rejection)), true));
    }
    tx.set_bundle_merged(kid, sequence)?;
    let note = pack_note(tx, &bundle)?;
    let outcome = merge_records(tx, &bundle, pack, None, meta, note)?;
    Ok((Some(outcome), true))
}

fn withdraw_in(
    tx: &mut dyn Tx,
    kid: &str,
    seq: i64,
    reason: &str,
    at: Timestamp,
    pack: &StoredPack,
) -> Result<Withdrawal> {
    let meta = tx
        .bundle_meta(kid, seq)?
        .ok_or_else(|| RegisterError::NoSuchBundle {
            kid: kid.to_owned(),
            sequence: seq.unsigned_abs(),
        })?;
    if meta.withdrawn {
        return Err(RegisterError::AlreadyWithdrawn {
            kid: kid.to_owned(),
            sequence: seq.unsigned_abs(),
        });
    }
    tx.withdraw_bundle(kid, seq, at.millis(), reason)?;
    let mut withdrawal = Withdrawal {
        restored: 0,
        removed: 0,
    };
    let affected = tx.records_from(kid, seq)?;
    if affected.is_empty() {
        return Ok(withdrawal);
    }
    // Each affected record: its highest revision in the device's other
    // merged bundles, and the first of them that held it (which sets its
    // place in the order), found by reading those bundles again.
    struct Found {
        latest: (BundleRecord, i64, BundleMeta),
        first: (BundleRecord, BundleMeta),
        villages: Vec<lindung_core::bundle::BundleVillage>,
    }
    let mut found: Vec<Option<Found>> = affected.iter().map(|_| None).collect();
    // Each affected record's place, by key (the register's keys are unique).
    let place: HashMap<(&str, &str), usize> = affected
        .iter()
        .enumerate()
        .map(|(at, (village, id))| ((village.as_str(), id.as_str()), at))
        .collect();
    for other in tx.merged_sequences(kid)? {
        let Some(meta) = tx.bundle_meta(kid, other)? else {
            continue;
        };
        let Some(bundle) = stored_bundle(tx, kid, other)? else {
            continue;
        };
        for record in bundle.payload.records {
            let key = (record.village.as_str(), record.record_id.as_str());
            let Some(&at) = place.get(&key) else {
                continue;
            };
            match &mut found[at] {
                None => {
                    found[at] = Some(Found {
                        first: (record.clone(), meta),
                        latest: (record, other, meta),
                        villages: bundle.payload.villages.clone(),
                    })
                }
                Some(f) => {
                    if record.revision > f.latest.0.revision {
                        f.villages = bundle.payload.villages.clone();
                        f.latest = (record.clone(), other, meta);
                    }
                    if meta.arrival < f.first.1.arrival {
                        f.first = (record, meta);
                    }
                }
            }
        }
    }
    for ((village, record_id), found) in affected.iter().zip(found) {
        tx.delete_record(village, record_id)?;
        let Some(found) = found else {
            withdrawal.removed += 1;
            continue;
        };
        let (first, first_meta) = &found.first;
        let window = TimeWindow {
            floor: Timestamp::from_millis(first_meta.floor_ms),
            received_at: Timestamp::from_millis(first_meta.received_ms),
        };
        let registered = registration_time(first.created_at, window);
        let (record, sequence, _) = &found.latest;
        let villages = judge::Villages::new(&found.villages);
        let verdict = judge::judge_record(record, &villages, &pack.pack, registered.date());
        let row = record_row(
            record,
            &verdict,
            kid,
            *sequence,
            registered.millis(),
            first_meta.arrival,
        );
        tx.insert_record(&row)?;
        withdrawal.restored += 1;
    }
    Ok(withdrawal)
}

/// What merging `bundle` now would quarantine, and its rule pack note,
/// without writing anything: the same judgement as [`merge_records`], for
/// `verify --db`.
fn preview_in(
    tx: &mut dyn Tx,
    bundle: &VerifiedBundle,
    pack: &StoredPack,
    now: Timestamp,
) -> Result<(Vec<Quarantined>, Option<&'static str>)> {
    let kid = bundle.kid.as_str();
    let payload = &bundle.payload;
    let seq = i64::try_from(payload.sequence).unwrap_or(i64::MAX);
    let window = TimeWindow {
        floor: Timestamp::from_millis(floor(tx, kid, seq, now.millis())?),
        received_at: now,
    };
    let villages = judge::Villages::new(&payload.villages);
    let mut quarantined = Vec::new();
    for record in &payload.records {
        let head = tx.record_head(&record.village, &record.record_id)?;
        let on = match against(head.as_ref(), kid, record) {
            Against::OtherDevice => {
                note_quarantine(&mut quarantined, record, &[judge::code::OTHER_DEVICE]);
                continue;
            }
            Against::Stale => continue,
            Against::Revision(on) => on,
            Against::New => registration_time(record.created_at, window),
        };
        let verdict = judge::judge_record(record, &villages, &pack.pack, on.date());
        note_quarantine(&mut quarantined, record, &verdict.codes);
    }
    Ok((quarantined, pack_note(tx, bundle)?))
}

/// [`preview_in`] without a register: every record judged against `pack`,
/// ordered no later than `now`; no ownership (the register knows it).
pub(crate) fn preview_alone(
    bundle: &VerifiedBundle,
    pack: &StoredPack,
    now: Timestamp,
) -> Vec<Quarantined> {
    let villages = judge::Villages::new(&bundle.payload.villages);
    let mut quarantined = Vec::new();
    for record in &bundle.payload.records {
        let on = record.created_at.min(now);
        let verdict = judge::judge_record(record, &villages, &pack.pack, on.date());
        note_quarantine(&mut quarantined, record, &verdict.codes);
    }
    quarantined
}

impl Register {
    /// What ingesting `bundle` at `now` would quarantine, and its rule pack
    /// note; writes nothing.
    pub fn preview(
        &mut self,
        bundle: &VerifiedBundle,
        now: Timestamp,
    ) -> Result<(Vec<Quarantined>, Option<&'static str>)> {
        let pack = self.pack()?;
        self.run(Mode::Read, |tx| {
            Ok((preview_in(tx, bundle, &pack, now)?, false))
        })
    }

    /// The merged bundle `kid`/`sequence`, if any.
    pub fn merged_link(&mut self, kid: &str, sequence: u64) -> Result<Option<Link>> {
        let Ok(seq) = i64::try_from(sequence) else {
            return Ok(None);
        };
        self.run(Mode::Read, |tx| Ok((tx.link(kid, seq, true)?, false)))
    }
}
