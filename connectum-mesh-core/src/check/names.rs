//! The name and label grammars of Kubernetes and Istio, shared by the rules that check names.

/// A grammar a name must follow, with the words a diagnostic uses for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Grammar {
    /// Namespace and subset names: `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, at most 63 characters.
    Dns1123Label,
    /// ServiceAccount, Deployment and Telemetry names: dot-separated DNS-1123 labels, ≤253.
    Dns1123Subdomain,
    /// Service names: a DNS-1123 label that starts with a letter.
    Dns1035Label,
}

impl Grammar {
    /// Whether `name` follows the grammar.
    pub(super) fn accepts(self, name: &str) -> bool {
        match self {
            Self::Dns1123Label => is_dns1123_label(name),
            Self::Dns1123Subdomain => name.len() <= 253 && name.split('.').all(is_dns1123_label),
            Self::Dns1035Label => {
                is_dns1123_label(name) && name.starts_with(|c: char| c.is_ascii_lowercase())
            }
        }
    }

    /// What the grammar asks for, in a diagnostic's words.
    pub(super) fn describe(self) -> &'static str {
        match self {
            Self::Dns1123Label => {
                "a DNS-1123 label: at most 63 lower-case letters, digits and `-`, starting and ending with a letter or digit"
            }
            Self::Dns1123Subdomain => {
                "a DNS-1123 subdomain: at most 253 characters of dot-separated lower-case labels of letters, digits and `-`"
            }
            Self::Dns1035Label => {
                "a DNS-1035 label: at most 63 lower-case letters, digits and `-`, starting with a letter and ending with a letter or digit"
            }
        }
    }

    /// The nearest name the grammar accepts, for the help line, if one can be made.
    pub(super) fn repair(self, name: &str) -> Option<String> {
        let mut repaired = String::with_capacity(name.len());
        for c in name.chars() {
            match c {
                'a'..='z' | '0'..='9' => repaired.push(c),
                'A'..='Z' => repaired.push(c.to_ascii_lowercase()),
                '.' if self == Self::Dns1123Subdomain => repaired.push('.'),
                _ => {
                    if !repaired.ends_with('-') {
                        repaired.push('-');
                    }
                }
            }
        }
        let mut repaired = repaired
            .trim_start_matches(|c: char| !c.is_ascii_alphanumeric())
            .trim_end_matches(|c: char| !c.is_ascii_alphanumeric())
            .to_owned();
        if self == Self::Dns1035Label && !repaired.starts_with(|c: char| c.is_ascii_lowercase()) {
            // Dropping leading digits would change the name's meaning; let the user choose.
            return None;
        }
        repaired.truncate(if self == Self::Dns1123Subdomain {
            253
        } else {
            63
        });
        let repaired = repaired.trim_end_matches(|c: char| !c.is_ascii_alphanumeric());
        (self.accepts(repaired) && repaired != name).then(|| repaired.to_owned())
    }
}

fn is_dns1123_label(name: &str) -> bool {
    (1..=63).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}

/// A label name (the part after an optional prefix) or a non-empty label value: at most 63
/// letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit.
fn is_label_name(name: &str) -> bool {
    (1..=63).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
}

/// A label key: `[prefix/]name`, the prefix a DNS-1123 subdomain.
pub(super) fn is_label_key(key: &str) -> bool {
    match key.split_once('/') {
        Some((prefix, name)) => Grammar::Dns1123Subdomain.accepts(prefix) && is_label_name(name),
        None => is_label_name(key),
    }
}

/// A label value: empty, or a label name.
pub(super) fn is_label_value(value: &str) -> bool {
    value.is_empty() || is_label_name(value)
}

/// The nearest valid label value to `value`, for the help line, if one can be made.
pub(super) fn repair_label_value(value: &str) -> Option<String> {
    let mut repaired = String::with_capacity(value.len());
    for c in value.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
            repaired.push(c);
        } else if !repaired.ends_with('-') {
            repaired.push('-');
        }
    }
    let repaired: String = repaired
        .trim_matches(|c: char| !c.is_ascii_alphanumeric())
        .chars()
        .take(63)
        .collect();
    let repaired = repaired.trim_end_matches(|c: char| !c.is_ascii_alphanumeric());
    (is_label_value(repaired) && !repaired.is_empty() && repaired != value)
        .then(|| repaired.to_owned())
}

/// What label keys and values must look like, for messages.
pub(super) const LABEL_SYNTAX: &str = "keys are `[prefix/]name` with a DNS-1123 subdomain prefix; names and values are at most 63 letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit (values may be empty)";

/// An HTTP header name Istio accepts in a match: an RFC 7230 token, an HTTP/2 pseudo-header, or
/// a JWT claim key.
pub(super) fn is_match_header_name(name: &str) -> bool {
    const PSEUDO: [&str; 5] = [":method", ":scheme", ":authority", ":path", ":status"];
    if PSEUDO.contains(&name) {
        return true;
    }
    if let Some(claim) = name
        .strip_prefix("@request.auth.claims.")
        .or_else(|| name.strip_prefix("@request.auth.claims["))
    {
        return !claim.is_empty();
    }
    !name.is_empty()
        && name.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'!' | b'#'
                        | b'$'
                        | b'%'
                        | b'&'
                        | b'\''
                        | b'*'
                        | b'+'
                        | b'-'
                        | b'.'
                        | b'^'
                        | b'_'
                        | b'`'
                        | b'|'
                        | b'~'
                )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubernetes_name_grammars() {
        assert!(Grammar::Dns1123Label.accepts("connectum"));
        assert!(Grammar::Dns1123Label.accepts("1abc"));
        assert!(!Grammar::Dns1123Label.accepts("Connectum"));
        assert!(!Grammar::Dns1123Label.accepts("-a"));
        assert!(!Grammar::Dns1123Label.accepts(""));
        assert!(!Grammar::Dns1123Label.accepts(&"a".repeat(64)));
        assert!(Grammar::Dns1035Label.accepts("order-service"));
        assert!(!Grammar::Dns1035Label.accepts("1order"));
        assert!(Grammar::Dns1123Subdomain.accepts("envoy.gateway"));
        assert!(!Grammar::Dns1123Subdomain.accepts("envoy..gateway"));
    }

    #[test]
    fn repairs_suggest_a_valid_name() {
        assert_eq!(
            Grammar::Dns1035Label.repair("Order_Service").as_deref(),
            Some("order-service")
        );
        assert_eq!(Grammar::Dns1035Label.repair("1-order"), None);
        assert_eq!(Grammar::Dns1123Label.repair("___"), None);
        assert_eq!(Grammar::Dns1123Label.repair("ok"), None);
    }

    #[test]
    fn label_grammar() {
        assert!(is_label_key("app.kubernetes.io/name"));
        assert!(is_label_key("version"));
        assert!(!is_label_key("/name"));
        assert!(!is_label_key("a/b/c"));
        assert!(is_label_value(""));
        assert!(is_label_value("1.1.0-rc.1"));
        assert!(!is_label_value("1.1.0 rc1"));
        assert!(!is_label_value("-x"));
        assert_eq!(
            repair_label_value("1.1.0 rc1").as_deref(),
            Some("1.1.0-rc1")
        );
        assert_eq!(repair_label_value("ok"), None);
        assert_eq!(repair_label_value("!!"), None);
    }

    /// The port name the model fixes must stay a valid container port name (IANA_SVC_NAME) and
    /// tell Istio the protocol (IST0118, KIA0601), since no rule checks it at run time.
    #[test]
    fn the_fixed_port_name_is_a_valid_iana_service_name_and_protocol() {
        let name = crate::model::GRPC_PORT_NAME;
        assert!((1..=15).contains(&name.len()));
        assert!(
            name.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        );
        assert!(name.bytes().any(|b| b.is_ascii_lowercase()));
        assert!(!name.starts_with('-') && !name.ends_with('-') && !name.contains("--"));
        let protocol = name.split('-').next().unwrap_or_default();
        assert!(["grpc", "grpc-web", "http2"].contains(&protocol));
    }

    #[test]
    fn header_names() {
        assert!(is_match_header_name("x-canary"));
        assert!(is_match_header_name("X-Canary"));
        assert!(is_match_header_name(":authority"));
        assert!(is_match_header_name("@request.auth.claims.group"));
        assert!(!is_match_header_name("x canary"));
        assert!(!is_match_header_name(""));
        assert!(!is_match_header_name(":foo"));
    }
}
