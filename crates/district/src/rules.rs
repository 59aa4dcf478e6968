//! `district rules check`: is a rule pack file acceptable to the core?

use lindung_core::rulepack::RulePack;

/// `Ok("ok: <id> <version>")`, or every problem as a `path: message` line.
pub fn check_pack(text: &str) -> Result<String, Vec<String>> {
    match RulePack::from_json(text) {
        Ok(pack) => Ok(format!("ok: {} {}", pack.id(), pack.version())),
        Err(problems) if problems.is_empty() => {
            Err(vec!["pack: rejected without a reason".to_owned()])
        }
        Err(problems) => Err(problems.iter().map(ToString::to_string).collect()),
    }
}
