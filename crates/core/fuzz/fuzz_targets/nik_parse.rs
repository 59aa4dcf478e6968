//! `Nik::parse` on arbitrary text: never panics, rejects with at least one
//! reason, and accepts only 16 ASCII digits that parse again to the same NIK.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lindung_core::{Date, Nik, RegionTable};

fuzz_target!(|data: &[u8]| {
    // The first byte picks "today" (years 2000-2099), the rest is the text.
    let Some((&pick, text)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    let today = Date::new(2000 + i32::from(pick % 100), 1 + pick % 12, 1 + pick % 28)
        .expect("day 1-28 exists in every month");
    match Nik::parse(text, today) {
        Ok(nik) => {
            let digits = nik.as_str();
            assert!(
                digits.len() == 16 && digits.bytes().all(|b| b.is_ascii_digit()),
                "accepted {text:?} as {digits:?}"
            );
            assert!(nik.birth_date() <= today, "{text:?} born after {today}");
            assert_eq!(Nik::parse(digits, today).as_ref(), Ok(&nik));
            let _ = nik.region_warnings(RegionTable::kemendagri());
            assert_eq!(nik.masked().len(), 16);
        }
        Err(errors) => assert!(!errors.is_empty(), "{text:?} rejected without a reason"),
    }
});
