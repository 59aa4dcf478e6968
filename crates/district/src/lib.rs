//! `district`, Lindung's district office tool, as a library: the binary
//! (`main.rs`) only reads arguments, the clock, stdin and files, and prints.
//!
//! - [`args`]: the command line, validated once into a [`Command`].
//! - [`nik`]: one JSON report per NIK, with stable error and warning codes.
//! - [`rules`]: checking a rule pack file.
//! - [`es256`]: bundle signatures checked with `ring` (faster than the core's).
//! - [`verify`]: checking export bundles without changing anything: signature
//!   and format, the files against each other, and against the register.
//! - [`register`]: the district register (SQLite): agents, ingest, merge.
//! - [`report`]: counts, coverage and budgets per village, district, regency.
//!
//! Architecture invariant: every rule lives in `lindung-core`; this crate only
//! formats the core's verdicts for district staff and scripts.

pub mod args;
pub mod es256;
pub mod nik;
pub mod register;
pub mod report;
pub mod rules;
pub mod verify;

pub use args::{parse_args, Command, NikSource, RegisterCommand, UsageError, USAGE};
pub use nik::{stdin_entry, write_reports, NikReport};
pub use rules::check_pack;
