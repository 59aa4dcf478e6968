//! `villages` rows: a village the agent works in. Format v1 (new in DB v2).
//! No `body`: code, name, area and slots are not personal data.

use serde::{Deserialize, Serialize};

use super::check_version;
use crate::store::{StoreResult, Village};

/// A village (`villages` store, key `code`), format v1.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct VillageRow {
    pub v: u32,
    pub code: String,
    pub name: String,
    pub area: String,
    pub funded_slots: u32,
}

impl VillageRow {
    pub const VERSION: u32 = 1;

    pub fn into_village(self) -> StoreResult<Village> {
        check_version("village", &self.code, self.v, VillageRow::VERSION)?;
        let VillageRow {
            v: _,
            code,
            name,
            area,
            funded_slots,
        } = self;
        Ok(Village {
            code,
            name,
            area,
            funded_slots,
        })
    }
}

impl From<&Village> for VillageRow {
    fn from(village: &Village) -> VillageRow {
        let Village {
            code,
            name,
            area,
            funded_slots,
        } = village;
        VillageRow {
            v: VillageRow::VERSION,
            code: code.clone(),
            name: name.clone(),
            area: area.clone(),
            funded_slots: *funded_slots,
        }
    }
}
