//! `bundles` and `bundle_files` rows (both new in DB v3, format v1): what the
//! device knows of each bundle it made (a [`BundleBody`]), and the signed
//! file itself, kept apart and read only to export it.

use lindung_core::export::{SentRecord, VillageSummary};
use lindung_core::outbox::Delivery;
use lindung_core::record::Timestamp;
use lindung_core::sync::{Outcome, QuarantinedRecord};
use serde::{Deserialize, Serialize};

use super::{check_version, from_json, to_json};
use crate::store::{BundleInfo, BundleState, StoreError, StoreResult};

/// A bundle's info (`bundles` store, key `sequence`), format v1.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct BundleRow {
    pub v: u32,
    pub sequence: u64,
    /// The [`BundleBody`] as JSON.
    pub body: String,
}

impl BundleRow {
    pub const VERSION: u32 = 1;

    pub fn new(info: &BundleInfo) -> StoreResult<BundleRow> {
        Ok(BundleRow {
            v: BundleRow::VERSION,
            sequence: info.sequence,
            body: to_json(&BundleBody::from(info))?,
        })
    }

    pub fn into_info(self) -> StoreResult<BundleInfo> {
        let key = self.sequence.to_string();
        check_version("bundle", &key, self.v, BundleRow::VERSION)?;
        let body: BundleBody = from_json(&format!("bundle {key}"), &self.body)?;
        let info = BundleInfo::from(body);
        if info.sequence != self.sequence {
            return Err(StoreError::Corrupt(format!(
                "bundle row {key} disagrees with its body"
            )));
        }
        Ok(info)
    }
}

/// A bundle's file (`bundle_files` store, key `sequence`), format v1: the
/// signed JWS as text, never re-encoded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct BundleFileRow {
    pub v: u32,
    pub sequence: u64,
    /// (The store reads and writes it apart from the other fields, as the
    /// string it is: `IdbStore::bundle_file`.)
    #[serde(default)]
    pub file: String,
}

impl BundleFileRow {
    pub const VERSION: u32 = 1;
    /// Every field but `file`, by its stored name.
    pub const OTHER_FIELDS: [&'static str; 2] = ["v", "sequence"];

    pub fn new(sequence: u64, file: &str) -> BundleFileRow {
        BundleFileRow {
            v: BundleFileRow::VERSION,
            sequence,
            file: file.to_owned(),
        }
    }

    pub fn into_file(self) -> StoreResult<String> {
        let key = self.sequence.to_string();
        check_version("bundle file", &key, self.v, BundleFileRow::VERSION)?;
        Ok(self.file)
    }
}

/// What a `bundles` row's `body` holds: the `BundleInfo`. Times are
/// milliseconds since 1970 UTC.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct BundleBody {
    pub sequence: u64,
    pub bundle_id: String,
    pub kid: String,
    pub created_at: i64,
    pub chain_hash: String,
    pub state: BundleStateBody,
    pub exported_at: Option<i64>,
    pub delivered_at: Option<i64>,
    pub bytes: u64,
    pub villages: Vec<VillageSummaryBody>,
    pub contents: Vec<SentRecordBody>,
    /// `null` (or absent) for bundles stored before the outbox.
    #[serde(default)]
    pub delivery: Option<DeliveryBody>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum BundleStateBody {
    Made,
    Exported,
    Delivered,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct VillageSummaryBody {
    pub code: String,
    pub name: String,
    pub new: u32,
    pub changed: u32,
    pub removed: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SentRecordBody {
    pub id: String,
    pub revision: u32,
}

/// Where the bundle stands in the outbox (`outbox::Delivery`), externally
/// tagged: `{"queued": {...}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum DeliveryBody {
    Queued {
        failures: u32,
        not_before_ms: i64,
        last_error: Option<String>,
    },
    Delivered {
        pending: bool,
        received_ms: i64,
        quarantined: Vec<QuarantinedBody>,
        /// The receipt as received (JWS JSON).
        receipt: String,
    },
    Refused {
        outcome: OutcomeBody,
        code: Option<String>,
        receipt: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct QuarantinedBody {
    pub village: String,
    pub record_id: String,
    pub revision: u32,
    pub codes: Vec<String>,
}

/// What the district did with a bundle (`sync::Outcome`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum OutcomeBody {
    Merged,
    Pending,
    Conflict,
    Rejected,
    Revoked,
    TooLarge,
    RetryLater,
}

// ------------------------------------------------------------ to the row --

impl From<&BundleInfo> for BundleBody {
    fn from(info: &BundleInfo) -> BundleBody {
        let BundleInfo {
            sequence,
            bundle_id,
            kid,
            created_at,
            chain_hash,
            state,
            exported_at,
            delivered_at,
            bytes,
            villages,
            contents,
            delivery,
        } = info;
        BundleBody {
            sequence: *sequence,
            bundle_id: bundle_id.clone(),
            kid: kid.clone(),
            created_at: created_at.millis(),
            chain_hash: chain_hash.clone(),
            state: match state {
                BundleState::Made => BundleStateBody::Made,
                BundleState::Exported => BundleStateBody::Exported,
                BundleState::Delivered => BundleStateBody::Delivered,
            },
            exported_at: exported_at.map(Timestamp::millis),
            delivered_at: delivered_at.map(Timestamp::millis),
            bytes: *bytes,
            villages: villages
                .iter()
                .map(|summary| {
                    let VillageSummary {
                        code,
                        name,
                        new,
                        changed,
                        removed,
                    } = summary;
                    VillageSummaryBody {
                        code: code.clone(),
                        name: name.clone(),
                        new: *new,
                        changed: *changed,
                        removed: *removed,
                    }
                })
                .collect(),
            contents: contents
                .iter()
                .map(|SentRecord { id, revision }| SentRecordBody {
                    id: id.clone(),
                    revision: *revision,
                })
                .collect(),
            delivery: delivery.as_ref().map(DeliveryBody::from),
        }
    }
}

impl From<&Delivery> for DeliveryBody {
    fn from(delivery: &Delivery) -> DeliveryBody {
        match delivery {
            Delivery::Queued {
                failures,
                not_before_ms,
                last_error,
            } => DeliveryBody::Queued {
                failures: *failures,
                not_before_ms: *not_before_ms,
                last_error: last_error.clone(),
            },
            Delivery::Delivered {
                pending,
                received_ms,
                quarantined,
                receipt,
            } => DeliveryBody::Delivered {
                pending: *pending,
                received_ms: *received_ms,
                quarantined: quarantined
                    .iter()
                    .map(|record| {
                        let QuarantinedRecord {
                            village,
                            record_id,
                            revision,
                            codes,
                        } = record;
                        QuarantinedBody {
                            village: village.clone(),
                            record_id: record_id.clone(),
                            revision: *revision,
                            codes: codes.clone(),
                        }
                    })
                    .collect(),
                receipt: receipt.clone(),
            },
            Delivery::Refused {
                outcome,
                code,
                receipt,
            } => DeliveryBody::Refused {
                outcome: match outcome {
                    Outcome::Merged => OutcomeBody::Merged,
                    Outcome::Pending => OutcomeBody::Pending,
                    Outcome::Conflict => OutcomeBody::Conflict,
                    Outcome::Rejected => OutcomeBody::Rejected,
                    Outcome::Revoked => OutcomeBody::Revoked,
                    Outcome::TooLarge => OutcomeBody::TooLarge,
                    Outcome::RetryLater => OutcomeBody::RetryLater,
                },
                code: code.clone(),
                receipt: receipt.clone(),
            },
        }
    }
}

// ---------------------------------------------------------- from the row --

impl From<BundleBody> for BundleInfo {
    fn from(body: BundleBody) -> BundleInfo {
        let BundleBody {
            sequence,
            bundle_id,
            kid,
            created_at,
            chain_hash,
            state,
            exported_at,
            delivered_at,
            bytes,
            villages,
            contents,
            delivery,
        } = body;
        BundleInfo {
            sequence,
            bundle_id,
            kid,
            created_at: Timestamp::from_millis(created_at),
            chain_hash,
            state: match state {
                BundleStateBody::Made => BundleState::Made,
                BundleStateBody::Exported => BundleState::Exported,
                BundleStateBody::Delivered => BundleState::Delivered,
            },
            exported_at: exported_at.map(Timestamp::from_millis),
            delivered_at: delivered_at.map(Timestamp::from_millis),
            bytes,
            villages: villages
                .into_iter()
                .map(|v| VillageSummary {
                    code: v.code,
                    name: v.name,
                    new: v.new,
                    changed: v.changed,
                    removed: v.removed,
                })
                .collect(),
            contents: contents
                .into_iter()
                .map(|SentRecordBody { id, revision }| SentRecord { id, revision })
                .collect(),
            delivery: delivery.map(Delivery::from),
        }
    }
}

impl From<DeliveryBody> for Delivery {
    fn from(body: DeliveryBody) -> Delivery {
        match body {
            DeliveryBody::Queued {
                failures,
                not_before_ms,
                last_error,
            } => Delivery::Queued {
                failures,
                not_before_ms,
                last_error,
            },
            DeliveryBody::Delivered {
                pending,
                received_ms,
                quarantined,
                receipt,
            } => Delivery::Delivered {
                pending,
                received_ms,
                quarantined: quarantined
                    .into_iter()
                    .map(|q| QuarantinedRecord {
                        village: q.village,
                        record_id: q.record_id,
                        revision: q.revision,
                        codes: q.codes,
                    })
                    .collect(),
                receipt,
            },
            DeliveryBody::Refused {
                outcome,
                code,
                receipt,
            } => Delivery::Refused {
                outcome: match outcome {
                    OutcomeBody::Merged => Outcome::Merged,
                    OutcomeBody::Pending => Outcome::Pending,
                    OutcomeBody::Conflict => Outcome::Conflict,
                    OutcomeBody::Rejected => Outcome::Rejected,
                    OutcomeBody::Revoked => Outcome::Revoked,
                    OutcomeBody::TooLarge => Outcome::TooLarge,
                    OutcomeBody::RetryLater => Outcome::RetryLater,
                },
                code,
                receipt,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `OTHER_FIELDS` are the stored file row's fields but `file`.
    #[test]
    fn other_fields_are_every_field_but_the_file() {
        let row = serde_json::to_value(BundleFileRow::new(3, "{}")).unwrap();
        let mut names: Vec<&str> = row
            .as_object()
            .expect("a row is an object")
            .keys()
            .map(String::as_str)
            .collect();
        names.sort_unstable();
        let mut expected = BundleFileRow::OTHER_FIELDS.to_vec();
        expected.push("file");
        expected.sort_unstable();
        assert_eq!(names, expected);
    }

    /// Bundles stored before the outbox have no `delivery` member at all.
    #[test]
    fn a_bundle_body_without_delivery_reads_as_none() {
        let golden = include_str!("../../../tests/fixtures/idb_v3/bundles.json");
        let mut rows: Vec<BundleRow> = serde_json::from_str(golden).unwrap();
        let mut row = rows.remove(0);
        assert!(row.body.ends_with(",\"delivery\":null}"));
        row.body = row.body.replace(",\"delivery\":null}", "}");
        assert_eq!(row.into_info().unwrap().delivery, None);
    }

    #[test]
    fn a_bundle_body_of_another_sequence_is_corrupt() {
        let golden = include_str!("../../../tests/fixtures/idb_v3/bundles.json");
        let mut rows: Vec<BundleRow> = serde_json::from_str(golden).unwrap();
        let row = BundleRow {
            sequence: 9,
            ..rows.remove(0)
        };
        assert_eq!(
            row.into_info(),
            Err(StoreError::Corrupt(
                "bundle row 9 disagrees with its body".into()
            ))
        );
    }
}
