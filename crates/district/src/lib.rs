//! `district`, Lindung's district office tool, as a library: the binary
//! (`main.rs`) only parses arguments, reads the clock, stdin and files,
//! prints, and sets the exit code. The server ([`server`]) calls the same code.
//!
//! - [`args`]: the command line, validated once into a [`Command`].
//! - [`nik`]: one JSON report per NIK, with stable error and warning codes.
//! - [`rules`]: checking a rule pack file.
//! - [`es256`]: bundle signatures checked with `ring` (faster than the core's).
//! - [`judgement`]: one judgement of a bundle against the register (trust,
//!   the same bundle, conflicts, the chain), in one pinned order.
//! - [`verify`]: checking export bundles without changing anything.
//! - [`register`]: the district register (SQLite or PostgreSQL): agents,
//!   ingest with every record judged again, quarantine, withdrawal.
//! - [`ingest`]: many files into the register, verified on several threads.
//! - [`output`]: the lines the commands print.
//! - [`report`]: counts, coverage and budgets per village, district, regency.
//! - [`key`]: the district key that signs receipts.
//! - [`server`]: `district serve`, the app and the intake API.
//!
//! Architecture invariant: every rule lives in `lindung-core`; this crate
//! applies the core's verdicts to the register and formats them for
//! district staff and scripts.

pub mod args;
pub mod es256;
pub mod ingest;
pub mod judgement;
pub mod key;
pub mod nik;
pub mod output;
pub mod register;
pub mod report;
pub mod rules;
pub mod server;
pub mod verify;

pub use args::{parse_args, Command, NikSource, RegisterCommand, ServeOptions, UsageError, USAGE};
pub use nik::{stdin_entry, write_reports, NikReport};
pub use rules::check_pack;

#[cfg(test)]
mod tests_support {
    use lindung_core::bundle::VerifiedBundle;

    /// The core's golden bundle, verified.
    pub fn verified() -> VerifiedBundle {
        crate::es256::verify(include_bytes!("../../core/tests/golden/bundle-v1.jws.json"))
            .expect("the golden bundle verifies")
    }
}
