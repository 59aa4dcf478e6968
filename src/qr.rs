//! A QR code as an SVG path, for showing the device key's id (`kid`) so the
//! district office can enrol the device by scanning the phone's screen.

use qrcodegen::{QrCode, QrCodeEcc};

/// Quiet zone around the code, in modules (the QR standard asks for 4).
const BORDER: i32 = 4;

/// The code for `text`: its width in modules (quiet zone included) and an
/// SVG path drawing every dark module as a 1x1 square. `None` if the text
/// does not fit in a QR code (never for a kid).
pub fn svg_path(text: &str) -> Option<(i32, String)> {
    let code = QrCode::encode_text(text, QrCodeEcc::Medium).ok()?;
    let size = code.size();
    let mut path = String::new();
    for y in 0..size {
        for x in 0..size {
            if code.get_module(x, y) {
                path.push_str(&format!("M{},{}h1v1h-1z", x + BORDER, y + BORDER));
            }
        }
    }
    Some((size + 2 * BORDER, path))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Dark modules of the path, as (x, y) without the quiet zone.
    fn dark(path: &str) -> Vec<(i32, i32)> {
        path.split('M')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let xy = p.trim_end_matches("h1v1h-1z");
                let (x, y) = xy.split_once(',').unwrap();
                (
                    x.parse::<i32>().unwrap() - BORDER,
                    y.parse::<i32>().unwrap() - BORDER,
                )
            })
            .collect()
    }

    #[test]
    fn a_kid_makes_a_version_3_or_4_code_with_its_finder_patterns() {
        // A made-up kid: 43 base64url characters.
        let kid = "Rk9_bGF1bmR1bmctdGVzdC1rZXktbm90LXJlYWwtMDA";
        let (width, path) = svg_path(kid).unwrap();
        let modules = width - 2 * BORDER;
        assert!(modules == 29 || modules == 33, "{modules}");
        let dark = dark(&path);
        // The three finder patterns' outer corners are dark; the separator
        // just inside the top-left one is light.
        for corner in [(0, 0), (6, 6), (modules - 1, 0), (0, modules - 1)] {
            assert!(dark.contains(&corner), "{corner:?}");
        }
        assert!(!dark.contains(&(1, 1)));
        assert!(dark
            .iter()
            .all(|&(x, y)| (0..modules).contains(&x) && (0..modules).contains(&y)));
        // Deterministic: the same kid gives the same picture.
        assert_eq!(svg_path(kid).unwrap().1, path);
        assert_ne!(svg_path("another kid").unwrap().1, path);
    }
}
