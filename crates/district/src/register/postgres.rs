//! The register in PostgreSQL: one database that several district
//! processes share.

use super::{Backend, InitOutcome, Mode, RegisterError, Result, Work};

/// The URL with its password replaced by `***`, for messages and logs.
pub fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, path) = rest.split_once('/').map_or((rest, ""), |(a, p)| (a, p));
    let authority = match authority.rsplit_once('@') {
        Some((user_info, host)) => match user_info.split_once(':') {
            Some((user, _)) => format!("{user}:***@{host}"),
            None => format!("{user_info}@{host}"),
        },
        None => authority.to_owned(),
    };
    if path.is_empty() && !rest.contains('/') {
        format!("{scheme}://{authority}")
    } else {
        format!("{scheme}://{authority}/{path}")
    }
}

pub(crate) struct Postgres {}

impl Postgres {
    pub(crate) fn init(_url: &str) -> Result<(Postgres, InitOutcome)> {
        Err(RegisterError::Postgres("not built yet".into()))
    }

    pub(crate) fn open(_url: &str, _read_only: bool) -> Result<Postgres> {
        Err(RegisterError::Postgres("not built yet".into()))
    }
}

impl Backend for Postgres {
    fn run(&mut self, _mode: Mode, _work: Work<'_>) -> Result<()> {
        Err(RegisterError::Postgres("not built yet".into()))
    }
}
