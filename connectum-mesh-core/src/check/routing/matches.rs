//! What Istio accepts in a route's match: HTTP header names and string matches it can compile.

use crate::diag::Diagnostics;
use crate::diag::MeshPath;
use crate::diag::registry::{INVALID_HEADER_NAME, INVALID_MATCH_VALUE};
use crate::model::{Route, StringMatch};

use crate::check::names::is_match_header_name;

/// Istio's limit on the length of a regular expression.
const MAX_REGEX_LEN: usize = 1024;

/// Istio refuses a VirtualService whose match names a header that is not an HTTP token.
pub(super) fn check_header_names(route: &Route, route_path: &MeshPath, out: &mut Diagnostics) {
    for (index, request) in route.matches.iter().enumerate() {
        for (header_index, header) in request.headers.iter().enumerate() {
            if !is_match_header_name(&header.name) {
                out.push(
                    INVALID_HEADER_NAME
                        .at(
                            route_path.index("matches", index).index("headers", header_index),
                            format!("header name `{}` is not an HTTP header name", header.name),
                        )
                        .with_help("use letters, digits and `-` (e.g. `x-canary`), a pseudo-header such as `:authority`, or `@request.auth.claims.<name>`"),
                );
            }
        }
    }
}

/// Istio refuses an empty header prefix and a regex that is empty, over-long or not RE2.
pub(super) fn check_match_values(route: &Route, route_path: &MeshPath, out: &mut Diagnostics) {
    for (index, request) in route.matches.iter().enumerate() {
        let match_path = route_path.index("matches", index);
        let headers = request.headers.iter().enumerate().map(|(h, header)| {
            let path = match_path.index("headers", h);
            (
                path,
                format!("header `{}`", header.name),
                &header.value,
                true,
            )
        });
        let uri =
            (request.uri.iter()).map(|u| (match_path.field("uri"), "the uri".to_owned(), u, false));
        for (path, what, value, is_header) in headers.chain(uri) {
            let Some(problem) = match_value_problem(value, is_header) else {
                continue;
            };
            out.push(
                INVALID_MATCH_VALUE
                    .at(path, format!("{what} {problem}"))
                    .with_help("use a non-empty prefix, or an RE2 regex of 1 to 1024 characters (`.*` matches any value)"),
            );
        }
    }
}

/// What Istio would refuse about one match value, if anything.
fn match_value_problem(value: &StringMatch, is_header: bool) -> Option<String> {
    match value {
        StringMatch::Prefix(prefix) if prefix.is_empty() && is_header => {
            Some("has an empty prefix match".to_owned())
        }
        StringMatch::Regex(regex) if regex.is_empty() => Some("has an empty regex".to_owned()),
        StringMatch::Regex(regex) if regex.len() > MAX_REGEX_LEN => Some(format!(
            "has a regex of {} characters, over Istio's {MAX_REGEX_LEN}",
            regex.len()
        )),
        // Istio compiles regexes with Go's RE2 `regexp`; regex-syntax parses the same syntax.
        StringMatch::Regex(regex) => regex_syntax::Parser::new().parse(regex).err().map(|error| {
            let reason = match &error {
                regex_syntax::Error::Parse(parse) => parse.kind().to_string(),
                regex_syntax::Error::Translate(translate) => translate.kind().to_string(),
                other => other.to_string(),
            };
            format!("has a regex `{regex}` that does not compile: {reason}")
        }),
        StringMatch::Exact(_) | StringMatch::Prefix(_) => None,
    }
}
