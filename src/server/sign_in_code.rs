//! The sign-in pages' code, split out of the main WASM under names that
//! change with each build, found once in the site's `pkg/__wasm_split.js`.
//! The service worker keeps it for the offline sign-in page, and the sign-in
//! pages' responses tell the browser to fetch it beside the main WASM
//! rather than after it.

use std::path::Path;

use axum::http::HeaderValue;

pub struct SignInCode {
    paths: Vec<String>,
}

impl SignInCode {
    /// Reads the site's chunk loader; a site without one has no chunks.
    pub fn read(site_root: &Path) -> Self {
        let loader = std::fs::read_to_string(site_root.join("pkg/__wasm_split.js"));
        Self {
            paths: chunks(&loader.unwrap_or_default()),
        }
    }

    /// "/pkg/split_sign_in_pages.<build>.wasm" and the shared chunks.
    pub fn paths(&self) -> &[String] {
        &self.paths
    }

    /// A `Link` header that has the browser fetch every one of them at once,
    /// as the loader will (`fetch()`: CORS mode, same-origin credentials).
    pub fn preload(&self) -> Option<HeaderValue> {
        let links: Vec<String> = self
            .paths
            .iter()
            .map(|p| format!("<{p}>; rel=preload; as=fetch; crossorigin=anonymous"))
            .collect();
        HeaderValue::from_str(&links.join(", "))
            .ok()
            .filter(|_| !links.is_empty())
    }
}

/// What the sign-in pages' code needs besides the main WASM, as paths: their
/// chunk and the chunks that split modules share, as the loader names them.
fn chunks(loader: &str) -> Vec<String> {
    let mut found = Vec::new();
    for prefix in ["split_sign_in_pages.", "chunk_"] {
        for (at, _) in loader.match_indices(prefix) {
            let name: String = loader[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.'))
                .collect();
            let path = format!("/pkg/{name}");
            if name.ends_with(".wasm") && !found.contains(&path) {
                found.push(path);
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sign_in_chunk_and_the_shared_ones_are_found_once_each() {
        let loader = r#"const a=fetch(new URL("./split_calls_page.0a1b.wasm",import.meta.url));
            const s=makeLoad(()=>fetch(new URL("./chunk_4.0a1b.wasm",import.meta.url)));
            const b=fetch(new URL("./split_sign_in_pages.0a1b.wasm",import.meta.url));
            const c=fetch(new URL("./split_sign_in_pages.0a1b.wasm",import.meta.url));"#;
        let code = SignInCode {
            paths: chunks(loader),
        };
        assert_eq!(
            code.paths(),
            [
                "/pkg/split_sign_in_pages.0a1b.wasm",
                "/pkg/chunk_4.0a1b.wasm"
            ]
        );
        assert_eq!(
            code.preload().unwrap(),
            "</pkg/split_sign_in_pages.0a1b.wasm>; rel=preload; as=fetch; crossorigin=anonymous, \
             </pkg/chunk_4.0a1b.wasm>; rel=preload; as=fetch; crossorigin=anonymous"
        );
        assert!(chunks("").is_empty());
        assert!(chunks("split_sign_in_pages. __chunk_4 = x").is_empty());
        assert!(SignInCode { paths: vec![] }.preload().is_none());
    }

    #[test]
    fn a_site_without_a_loader_has_no_sign_in_code() {
        let dir = tempfile::tempdir().unwrap();
        let code = SignInCode::read(dir.path());
        assert!(code.paths().is_empty());
        assert!(code.preload().is_none());
    }
}
