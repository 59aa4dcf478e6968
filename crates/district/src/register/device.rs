//! What the register says to one device (`district serve`): the facts of a
//! stored bundle its receipt is made from, and the device's state.

use super::read::QuarantinedRecord;
use super::{AgentStatus, Mode, Quarantined, Register, Result};

/// What the register stored of one bundle: a receipt is made from this
/// alone, so the same bundle always gets the same receipt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredReceipt {
    /// Its signing input hash.
    pub hash: String,
    /// Merged, or pending approval.
    pub merged: bool,
    /// When the district first received it, milliseconds since 1970 UTC.
    pub received_ms: i64,
    /// Its records the district quarantined when it merged.
    pub quarantined: Vec<Quarantined>,
}

/// One device's records whose NIK another active record also holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceDuplicate {
    pub village: String,
    pub record_id: String,
    /// Whether a record with the same NIK is in another village.
    pub another_village: bool,
    /// Whether a record with the same NIK came from another device.
    pub another_device: bool,
}

/// The district's standing of one of a device's records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceStanding {
    pub village: String,
    pub record_id: String,
    pub status: lindung_core::Status,
}

/// What the register knows of a device, read in one transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceFacts {
    /// `None`: never seen.
    pub status: Option<AgentStatus>,
    /// Every stored sequence, ascending.
    pub sequences: Vec<u64>,
    /// Its records whose current revision is quarantined (bundles not
    /// withdrawn).
    pub quarantined: Vec<QuarantinedRecord>,
    pub duplicates: Vec<DeviceDuplicate>,
}

impl Register {
    /// The facts of bundle (`kid`, `sequence`), if it is stored.
    pub fn stored_receipt(&mut self, kid: &str, sequence: u64) -> Result<Option<StoredReceipt>> {
        let Ok(seq) = i64::try_from(sequence) else {
            return Ok(None);
        };
        self.run(Mode::Read, |tx| {
            let (Some(link), Some(meta)) = (tx.link(kid, seq, false)?, tx.bundle_meta(kid, seq)?)
            else {
                return Ok((None, false));
            };
            let quarantined = tx
                .quarantined_of(kid)?
                .into_iter()
                .filter(|q| q.sequence == sequence)
                .map(|q| Quarantined {
                    village: q.village,
                    record_id: q.record_id,
                    revision: q.revision,
                    codes: q.codes,
                })
                .collect();
            let stored = StoredReceipt {
                hash: link.hash,
                merged: meta.merged,
                received_ms: meta.received_ms,
                quarantined,
            };
            Ok((Some(stored), false))
        })
    }

    /// What the register knows of device `kid`.
    pub fn device_facts(&mut self, kid: &str) -> Result<DeviceFacts> {
        self.run(Mode::Read, |tx| {
            let status = tx.agent(kid)?.map(|(status, _)| status);
            let sequences = tx.sequences(kid)?;
            let quarantined = tx
                .quarantined_of(kid)?
                .into_iter()
                .filter(|q| q.current && !q.withdrawn)
                .collect();
            let all = tx.duplicates()?;
            let mut duplicates = Vec::new();
            for mine in all.iter().filter(|d| d.kid == kid) {
                let others = all
                    .iter()
                    .filter(|d| d.nik == mine.nik)
                    .filter(|d| !(d.village == mine.village && d.record_id == mine.record_id));
                let (mut another_village, mut another_device) = (false, false);
                for other in others {
                    another_village |= other.village != mine.village;
                    another_device |= other.kid != kid;
                }
                duplicates.push(DeviceDuplicate {
                    village: mine.village.clone(),
                    record_id: mine.record_id.clone(),
                    another_village,
                    another_device,
                });
            }
            let facts = DeviceFacts {
                status,
                sequences,
                quarantined,
                duplicates,
            };
            Ok((facts, false))
        })
    }

    /// The district's standing of `kid`'s active, accepted records: each of
    /// their villages' rosters rebuilt as `district report` does (every
    /// device's records, the district's order, `pack`'s funded slots).
    pub fn standing_of(
        &mut self,
        kid: &str,
        pack: &lindung_core::RulePack,
    ) -> Result<Vec<DeviceStanding>> {
        self.run(Mode::Read, |tx| {
            let names: std::collections::HashMap<String, String> = tx
                .villages()?
                .into_iter()
                .map(|(code, name, _)| (code, name))
                .collect();
            let mut standing = Vec::new();
            for village in tx.villages_of(kid)? {
                let records = tx.active_records_in(&village)?;
                let mine: std::collections::HashSet<&str> = records
                    .iter()
                    .filter(|r| r.kid == kid)
                    .map(|r| r.record_id.as_str())
                    .collect();
                let refs: Vec<&_> = records.iter().collect();
                let name = names.get(&village).map_or("", String::as_str);
                let slots = pack.funded_slots_per_village();
                let rebuilt = crate::report::village_roster(&village, name, &refs, pack, slots);
                let Some(roster) = rebuilt.roster else {
                    continue;
                };
                for (entry, status) in roster.entries() {
                    if mine.contains(entry.id().as_str()) {
                        standing.push(DeviceStanding {
                            village: village.clone(),
                            record_id: entry.id().as_str().to_owned(),
                            status,
                        });
                    }
                }
            }
            Ok((standing, false))
        })
    }

    /// The current rule pack's (digest, JSON as published); the built-in
    /// pack's when none was.
    pub fn pack_json(&mut self) -> Result<(String, String)> {
        let stored = self.run(Mode::Read, |tx| Ok((tx.current_pack()?, false)))?;
        Ok(stored.unwrap_or_else(|| {
            let json = lindung_core::RulePack::default_json();
            (
                lindung_core::bundle::sha256_b64url(json.as_bytes()),
                json.to_owned(),
            )
        }))
    }

    /// Forgets the rule pack read at open, so the next use reads the
    /// current one (another process may have published one since).
    pub fn forget_pack(&mut self) {
        self.pack = None;
    }

    /// The rule pack this connection last read, if it holds one.
    pub fn cached_pack(&self) -> Option<&super::StoredPack> {
        self.pack.as_ref()
    }
}
