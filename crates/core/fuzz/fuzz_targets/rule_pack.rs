//! `RulePack::from_json` on arbitrary text: never panics, rejects with at
//! least one problem, and an accepted pack survives its own serialization.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lindung_core::rulepack::RulePack;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match RulePack::from_json(text) {
        Ok(pack) => {
            let again = RulePack::from_json(&pack.to_json_pretty());
            assert_eq!(again.as_ref(), Ok(&pack), "{text:?} does not round-trip");
        }
        Err(problems) => assert!(!problems.is_empty(), "{text:?} rejected without a reason"),
    }
});
