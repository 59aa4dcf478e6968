//! Lindung's rules core: everything Lindung decides about a registration,
//! as plain Rust with no IO. No clock (today is passed in), no randomness, no
//! storage, no browser: the app, the district binary and the tests all call
//! the same functions.

pub mod bundle;
pub mod contribution;
pub mod date;
pub mod export;
pub mod form;
pub mod i18n;
pub mod judge;
mod lowercase;
pub mod nik;
pub mod notes;
pub mod order;
pub mod outbox;
pub mod query;
pub mod record;
pub mod region;
pub mod registration;
pub mod roster;
pub mod rulepack;
pub mod sync;
pub mod village_code;
pub mod workspace;

pub use contribution::{budget, monthly, Budget, Contribution, ContributionError};
pub use date::Date;
pub use i18n::Lang;
pub use nik::{Nik, NikError, NikWarning, Sex};
pub use record::{Agent, Timestamp, WorkerRecord};
pub use region::RegionTable;
pub use registration::{check, Issue, Registration, RegistrationInput, Verdict};
pub use roster::{DuplicateCheck, RecordId, Roster, RosterError, Status, VillageRef};
pub use rulepack::RulePack;
pub use village_code::{CodeError, VillageCode};
pub use workspace::{ChangeError, Committed, Planned, Workspace};
