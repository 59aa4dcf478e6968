//! The built app as static files: precompressed copies (`.br`, `.gz`) to
//! browsers that take them, and caching by name: files whose names carry a
//! content hash never change (a year, immutable); everything else
//! (`index.html`, `sw.js`, the manifest) is checked each time (`no-cache`),
//! so a new release reaches phones on their next visit online.

use std::path::Path;

use axum::http::{header, HeaderValue};
use tower_http::services::ServeDir;

/// The app's files under `dir`.
pub fn files(dir: &Path) -> ServeDir {
    ServeDir::new(dir)
        .precompressed_br()
        .precompressed_gzip()
        .append_index_html_on_directories(true)
}

/// The `Cache-Control` of a file of the app at `path`.
pub fn cache_control(path: &str) -> HeaderValue {
    let name = path.rsplit('/').next().unwrap_or("");
    if has_content_hash(name) {
        HeaderValue::from_static("public, max-age=31536000, immutable")
    } else {
        HeaderValue::from_static("no-cache")
    }
}

/// Whether a file name carries a content hash as Trunk writes it
/// (`lindung-1a2b3c4d5e6f7a8b_bg.wasm`): a `-` then 16 hex digits.
fn has_content_hash(name: &str) -> bool {
    name.match_indices('-').any(|(at, _)| {
        let hash = &name.as_bytes()[at + 1..];
        hash.len() >= 16 && hash[..16].iter().all(u8::is_ascii_hexdigit)
    })
}

/// Sets the caching header of an app response that has none.
pub fn set_caching(path: &str, headers: &mut axum::http::HeaderMap) {
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, cache_control(path));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_files_are_immutable_and_the_rest_revalidated() {
        let cases = [
            ("/lindung-1a2b3c4d5e6f7a8b_bg.wasm", true),
            ("/lindung-1a2b3c4d5e6f7a8b.js", true),
            ("/style-0123456789abcdef.css", true),
            ("/sw.js", false),
            ("/", false),
            ("/index.html", false),
            ("/manifest.webmanifest", false),
            ("/icon-192.png", false),
            ("/lindung-1a2b3c.js", false),
        ];
        for (path, immutable) in cases {
            let value = cache_control(path);
            assert_eq!(
                value.to_str().unwrap().contains("immutable"),
                immutable,
                "{path}"
            );
        }
    }
}
