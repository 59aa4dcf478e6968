//! `settings` rows: the device settings, one row. Format v1 (unchanged since
//! DB v1; members added since have defaults, so older bodies read as
//! before), whose `body` is a [`SettingsBody`].

use lindung_core::bundle::parse_rfc3339;
use lindung_core::record::Timestamp;
use lindung_core::sync::{
    DeviceState, DeviceStatus, DuplicateFlag, PackRef, QuarantinedRecord, QuarantinedState,
    ServerLimits, Standing,
};
use lindung_core::Lang;
use serde::{Deserialize, Serialize};

use super::schema::SETTINGS_KEY;
use super::{check_version, from_json, to_json, Invalid};
use crate::store::{PackSwitch, Settings, StoreResult};

/// The device settings (`settings` store, key [`SETTINGS_KEY`]), format v1.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SettingsRow {
    pub v: u32,
    pub key: String,
    /// The [`SettingsBody`] as JSON.
    pub body: String,
}

impl SettingsRow {
    pub const VERSION: u32 = 1;

    pub fn new(settings: &Settings) -> StoreResult<SettingsRow> {
        Ok(SettingsRow {
            v: SettingsRow::VERSION,
            key: SETTINGS_KEY.to_owned(),
            body: to_json(&SettingsBody::from(settings))?,
        })
    }

    pub fn into_settings(self) -> StoreResult<Settings> {
        check_version("settings", &self.key, self.v, SettingsRow::VERSION)?;
        let body: SettingsBody = from_json("settings", &self.body)?;
        Settings::try_from(body).map_err(|invalid| invalid.corrupt("settings"))
    }
}

fn yes() -> bool {
    true
}

/// What `body` holds: the `Settings`. Times are milliseconds since 1970 UTC.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SettingsBody {
    pub agent_id: String,
    pub agent_name: String,
    pub lang: LangBody,
    /// JSON of an imported rule pack; `null`: the shipped default pack.
    pub rule_pack: Option<String>,
    #[serde(default)]
    pub server_url: Option<String>,
    #[serde(default)]
    pub district_kid: Option<String>,
    #[serde(default = "yes")]
    pub auto_send: bool,
    #[serde(default)]
    pub last_sync: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub district_state: Option<DeviceStateBody>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pack_switches: Vec<PackSwitchBody>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum LangBody {
    #[serde(rename = "id")]
    Id,
    #[serde(rename = "en")]
    En,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PackSwitchBody {
    pub at: i64,
    pub agent_id: String,
    pub from: PackDigestBody,
    pub to: PackDigestBody,
}

/// A rule pack by name and content (`sync::PackRef`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PackDigestBody {
    pub id: String,
    pub version: String,
    pub digest: String,
}

/// The district's last signed word about the device (`sync::DeviceState`),
/// in the shape the sync protocol gives it (docs/sync-protocol.md) but
/// defined here: what the phone stores does not follow the protocol's type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DeviceStateBody {
    pub format: String,
    pub format_version: u32,
    pub district_id: String,
    pub kid: String,
    pub status: DeviceStatusBody,
    pub contiguous_through: u64,
    pub highest: u64,
    pub missing: Vec<[u64; 2]>,
    pub limits: LimitsBody,
    /// RFC 3339, UTC, milliseconds: `2026-11-21T17:25:57.123Z`.
    pub server_time: String,
    pub rule_pack: PackDigestBody,
    pub quarantined: Vec<QuarantinedStateBody>,
    pub duplicates: Vec<DuplicateBody>,
    pub standing: Vec<StandingBody>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum DeviceStatusBody {
    Unknown,
    Pending,
    Approved,
    Revoked,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LimitsBody {
    pub max_bundle_bytes: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct QuarantinedStateBody {
    pub sequence: u64,
    pub village: String,
    pub record_id: String,
    pub revision: u32,
    pub codes: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DuplicateBody {
    pub village: String,
    pub record_id: String,
    pub with: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StandingBody {
    pub village: String,
    pub record_id: String,
    pub status: String,
    pub position: Option<u32>,
}

// ------------------------------------------------------------ to the row --

impl From<&Settings> for SettingsBody {
    fn from(settings: &Settings) -> SettingsBody {
        let Settings {
            agent_id,
            agent_name,
            lang,
            rule_pack,
            server_url,
            district_kid,
            auto_send,
            last_sync,
            district_state,
            pack_switches,
        } = settings;
        SettingsBody {
            agent_id: agent_id.clone(),
            agent_name: agent_name.clone(),
            lang: match lang {
                Lang::Id => LangBody::Id,
                Lang::En => LangBody::En,
            },
            rule_pack: rule_pack.clone(),
            server_url: server_url.clone(),
            district_kid: district_kid.clone(),
            auto_send: *auto_send,
            last_sync: last_sync.map(Timestamp::millis),
            district_state: district_state.as_ref().map(DeviceStateBody::from),
            pack_switches: pack_switches.iter().map(PackSwitchBody::from).collect(),
        }
    }
}

impl From<&PackSwitch> for PackSwitchBody {
    fn from(switch: &PackSwitch) -> PackSwitchBody {
        let PackSwitch {
            at,
            agent_id,
            from,
            to,
        } = switch;
        PackSwitchBody {
            at: at.millis(),
            agent_id: agent_id.clone(),
            from: PackDigestBody::from(from),
            to: PackDigestBody::from(to),
        }
    }
}

impl From<&PackRef> for PackDigestBody {
    fn from(pack: &PackRef) -> PackDigestBody {
        let PackRef {
            id,
            version,
            digest,
        } = pack;
        PackDigestBody {
            id: id.clone(),
            version: version.clone(),
            digest: digest.clone(),
        }
    }
}

impl From<&DeviceState> for DeviceStateBody {
    fn from(state: &DeviceState) -> DeviceStateBody {
        let DeviceState {
            format,
            format_version,
            district_id,
            kid,
            status,
            contiguous_through,
            highest,
            missing,
            limits: ServerLimits { max_bundle_bytes },
            server_time,
            rule_pack,
            quarantined,
            duplicates,
            standing,
        } = state;
        DeviceStateBody {
            format: format.clone(),
            format_version: *format_version,
            district_id: district_id.clone(),
            kid: kid.clone(),
            status: match status {
                DeviceStatus::Unknown => DeviceStatusBody::Unknown,
                DeviceStatus::Pending => DeviceStatusBody::Pending,
                DeviceStatus::Approved => DeviceStatusBody::Approved,
                DeviceStatus::Revoked => DeviceStatusBody::Revoked,
            },
            contiguous_through: *contiguous_through,
            highest: *highest,
            missing: missing.clone(),
            limits: LimitsBody {
                max_bundle_bytes: *max_bundle_bytes,
            },
            server_time: server_time.to_string(),
            rule_pack: PackDigestBody::from(rule_pack),
            quarantined: quarantined.iter().map(QuarantinedStateBody::from).collect(),
            duplicates: duplicates.iter().map(DuplicateBody::from).collect(),
            standing: standing.iter().map(StandingBody::from).collect(),
        }
    }
}

impl From<&QuarantinedState> for QuarantinedStateBody {
    fn from(state: &QuarantinedState) -> QuarantinedStateBody {
        let QuarantinedState {
            sequence,
            record:
                QuarantinedRecord {
                    village,
                    record_id,
                    revision,
                    codes,
                },
        } = state;
        QuarantinedStateBody {
            sequence: *sequence,
            village: village.clone(),
            record_id: record_id.clone(),
            revision: *revision,
            codes: codes.clone(),
        }
    }
}

impl From<&DuplicateFlag> for DuplicateBody {
    fn from(flag: &DuplicateFlag) -> DuplicateBody {
        let DuplicateFlag {
            village,
            record_id,
            with,
        } = flag;
        DuplicateBody {
            village: village.clone(),
            record_id: record_id.clone(),
            with: with.clone(),
        }
    }
}

impl From<&Standing> for StandingBody {
    fn from(standing: &Standing) -> StandingBody {
        let Standing {
            village,
            record_id,
            status,
            position,
        } = standing;
        StandingBody {
            village: village.clone(),
            record_id: record_id.clone(),
            status: status.clone(),
            position: *position,
        }
    }
}

// ---------------------------------------------------------- from the row --

impl TryFrom<SettingsBody> for Settings {
    type Error = Invalid;

    fn try_from(body: SettingsBody) -> Result<Settings, Invalid> {
        let SettingsBody {
            agent_id,
            agent_name,
            lang,
            rule_pack,
            server_url,
            district_kid,
            auto_send,
            last_sync,
            district_state,
            pack_switches,
        } = body;
        Ok(Settings {
            agent_id,
            agent_name,
            lang: match lang {
                LangBody::Id => Lang::Id,
                LangBody::En => Lang::En,
            },
            rule_pack,
            server_url,
            district_kid,
            auto_send,
            last_sync: last_sync.map(Timestamp::from_millis),
            district_state: district_state.map(DeviceState::try_from).transpose()?,
            pack_switches: pack_switches.into_iter().map(PackSwitch::from).collect(),
        })
    }
}

impl From<PackSwitchBody> for PackSwitch {
    fn from(body: PackSwitchBody) -> PackSwitch {
        let PackSwitchBody {
            at,
            agent_id,
            from,
            to,
        } = body;
        PackSwitch {
            at: Timestamp::from_millis(at),
            agent_id,
            from: PackRef::from(from),
            to: PackRef::from(to),
        }
    }
}

impl From<PackDigestBody> for PackRef {
    fn from(body: PackDigestBody) -> PackRef {
        let PackDigestBody {
            id,
            version,
            digest,
        } = body;
        PackRef {
            id,
            version,
            digest,
        }
    }
}

impl TryFrom<DeviceStateBody> for DeviceState {
    type Error = Invalid;

    fn try_from(body: DeviceStateBody) -> Result<DeviceState, Invalid> {
        let DeviceStateBody {
            format,
            format_version,
            district_id,
            kid,
            status,
            contiguous_through,
            highest,
            missing,
            limits: LimitsBody { max_bundle_bytes },
            server_time,
            rule_pack,
            quarantined,
            duplicates,
            standing,
        } = body;
        Ok(DeviceState {
            format,
            format_version,
            district_id,
            kid,
            status: match status {
                DeviceStatusBody::Unknown => DeviceStatus::Unknown,
                DeviceStatusBody::Pending => DeviceStatus::Pending,
                DeviceStatusBody::Approved => DeviceStatus::Approved,
                DeviceStatusBody::Revoked => DeviceStatus::Revoked,
            },
            contiguous_through,
            highest,
            missing,
            limits: ServerLimits { max_bundle_bytes },
            server_time: parse_rfc3339(&server_time).ok_or(Invalid(
                "the district's server time is not an RFC 3339 time",
            ))?,
            rule_pack: PackRef::from(rule_pack),
            quarantined: quarantined
                .into_iter()
                .map(|q| QuarantinedState {
                    sequence: q.sequence,
                    record: QuarantinedRecord {
                        village: q.village,
                        record_id: q.record_id,
                        revision: q.revision,
                        codes: q.codes,
                    },
                })
                .collect(),
            duplicates: duplicates
                .into_iter()
                .map(|d| DuplicateFlag {
                    village: d.village,
                    record_id: d.record_id,
                    with: d.with,
                })
                .collect(),
            standing: standing
                .into_iter()
                .map(|s| Standing {
                    village: s.village,
                    record_id: s.record_id,
                    status: s.status,
                    position: s.position,
                })
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(body: &str) -> SettingsRow {
        SettingsRow {
            v: 1,
            key: SETTINGS_KEY.into(),
            body: body.into(),
        }
    }

    /// The first settings format: four members. Those added since take
    /// their defaults (`auto_send` on).
    #[test]
    fn settings_of_the_first_format_read_with_the_later_members_defaulted() {
        let old = row(
            r#"{"agent_id":"PRS-0001","agent_name":"Petugas Uji","lang":"id","rule_pack":null}"#,
        );
        assert_eq!(
            old.into_settings().unwrap(),
            Settings {
                agent_id: "PRS-0001".into(),
                agent_name: "Petugas Uji".into(),
                ..Settings::new(Lang::Id)
            }
        );
    }

    #[test]
    fn a_device_state_with_a_bad_time_is_corrupt_and_not_quoted() {
        let golden = include_str!("../../../tests/fixtures/idb_v3/settings.json");
        let mut rows: Vec<SettingsRow> = serde_json::from_str(golden).unwrap();
        let mut row = rows.remove(0);
        row.body = row
            .body
            .replace("2026-11-21T17:25:57.123Z", "21/11/2026 17:25");
        assert_eq!(
            row.into_settings(),
            Err(crate::store::StoreError::Corrupt(
                "settings row: the district's server time is not an RFC 3339 time".into()
            ))
        );
    }
}
