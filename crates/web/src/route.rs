//! Where the page is: the hash route (`#/lesson/<id>/step/<n>`, `#/sandbox`,
//! `#/preview`) and the embed mode from the query (`?embed=terminal&lesson=<id>`).
//!
//! Routes live in the fragment so a static host needs no rewrite rules and the page
//! works from any sub-path and from `file://`. Steps are 1-based in the address (what
//! a person reads and writes in a link) and 0-based inside.

/// A page address, parsed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Route {
    /// No route: the course's first unfinished lesson.
    #[default]
    Home,
    Lesson { id: String, step: usize },
    Sandbox,
    Preview,
}

impl Route {
    /// Parses `location.hash` (with or without the leading `#`). Anything unknown is
    /// [`Route::Home`]; a missing or bad step is the first.
    pub fn parse(hash: &str) -> Route {
        let path = hash.trim_start_matches('#').trim_start_matches('/');
        let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
        match parts.as_slice() {
            ["sandbox"] => Route::Sandbox,
            ["preview"] => Route::Preview,
            ["lesson", id] => Route::Lesson { id: decode(id), step: 0 },
            ["lesson", id, "step", n, ..] => {
                let step = n.parse::<usize>().ok().and_then(|n| n.checked_sub(1)).unwrap_or(0);
                Route::Lesson { id: decode(id), step }
            }
            _ => Route::Home,
        }
    }

    /// The hash for this route (`#/lesson/services-nodeport/step/3`).
    pub fn to_hash(&self) -> String {
        match self {
            Route::Home => "#/".to_string(),
            Route::Lesson { id, step } => format!("#/lesson/{}/step/{}", encode(id), step + 1),
            Route::Sandbox => "#/sandbox".to_string(),
            Route::Preview => "#/preview".to_string(),
        }
    }
}

/// The embed mode: just the terminal and one lesson, for an `<iframe>` on a course site.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Embed {
    /// The lesson shown beside the terminal, if any.
    pub lesson: Option<String>,
}

/// Reads `?embed=terminal&lesson=<id>` from `location.search`.
pub fn embed_from_query(search: &str) -> Option<Embed> {
    let mut embed = false;
    let mut lesson = None;
    for pair in search.trim_start_matches('?').split('&') {
        match pair.split_once('=') {
            Some(("embed", "terminal")) => embed = true,
            Some(("lesson", id)) if !id.is_empty() => lesson = Some(decode(id)),
            _ => {}
        }
    }
    embed.then_some(Embed { lesson })
}

/// Lesson ids are lowercase letters, digits and dashes (the format requires it), so
/// only `%XX` escapes a browser may add need undoing; anything odd stays as typed and
/// simply names no lesson.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes.get(i).copied().unwrap_or(b'%');
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok()).and_then(|h| u8::from_str_radix(h, 16).ok());
        match (byte, hex) {
            (b'%', Some(value)) => {
                out.push(value);
                i += 3;
            }
            _ => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_links_name_a_lesson_and_a_one_based_step() {
        let route = Route::parse("#/lesson/services-nodeport/step/3");
        assert_eq!(route, Route::Lesson { id: "services-nodeport".into(), step: 2 });
        assert_eq!(route.to_hash(), "#/lesson/services-nodeport/step/3");
        assert_eq!(Route::parse("#/lesson/services-nodeport"), Route::Lesson { id: "services-nodeport".into(), step: 0 });
        assert_eq!(Route::parse("#/lesson/x/step/0"), Route::Lesson { id: "x".into(), step: 0 });
        assert_eq!(Route::parse("#/lesson/x/step/zz"), Route::Lesson { id: "x".into(), step: 0 });
    }

    #[test]
    fn other_routes_and_garbage() {
        assert_eq!(Route::parse("#/sandbox"), Route::Sandbox);
        assert_eq!(Route::parse("#/preview"), Route::Preview);
        assert_eq!(Route::parse(""), Route::Home);
        assert_eq!(Route::parse("#/nope/%%%/€"), Route::Home);
        assert_eq!(Route::parse("#/lesson/a%2"), Route::Lesson { id: "a%2".into(), step: 0 });
        assert_eq!(Route::parse("#/lesson/a%2Fb").to_hash(), "#/lesson/a%2Fb/step/1");
    }

    #[test]
    fn embed_mode_comes_from_the_query() {
        assert_eq!(
            embed_from_query("?embed=terminal&lesson=services-nodeport"),
            Some(Embed { lesson: Some("services-nodeport".into()) })
        );
        assert_eq!(embed_from_query("?lesson=x&embed=terminal&seed=3"), Some(Embed { lesson: Some("x".into()) }));
        assert_eq!(embed_from_query("?embed=terminal"), Some(Embed { lesson: None }));
        assert_eq!(embed_from_query("?seed=2"), None);
        assert_eq!(embed_from_query(""), None);
    }
}
