//! Container images: a reference the container runtime can parse, pinned to a version, and a
//! canary that runs something else than the workload it is compared with.

use super::LazyPath;
use crate::diag::registry::{
    CANARY_SAME_IMAGE, EMPTY_IMAGE, INVALID_IMAGE_REFERENCE, UNPINNED_IMAGE,
};
use crate::diag::{Diagnostics, MeshPath};
use crate::model::{Mesh, Service};

/// The longest repository name the reference grammar allows.
const MAX_NAME_LEN: usize = 255;
/// The longest tag.
const MAX_TAG_LEN: usize = 128;

pub(super) fn run(mesh: &Mesh, out: &mut Diagnostics) {
    for service in &mesh.services {
        let path = || MeshPath::service(&service.name);
        check_images(service, &path, out);
        check_canary_images(service, &path, out);
    }
}

/// Every image a service names, with the subset that sets it: the service's own, then each
/// subset's that sets one.
fn images(service: &Service) -> impl Iterator<Item = (Option<&str>, &str)> {
    std::iter::once((None, service.image.as_str())).chain(
        service
            .subsets
            .iter()
            .filter_map(|s| Some((Some(s.name.as_str()), s.image.as_deref()?))),
    )
}

/// An empty or unparsable reference keeps the pods from ever starting (InvalidImageName); one
/// without a version runs whatever `latest` is that day.
fn check_images(service: &Service, path: &LazyPath<'_>, out: &mut Diagnostics) {
    for (subset, image) in images(service) {
        let image_path = || match subset {
            None => path().field("image"),
            Some(subset) => path().subset(subset).field("image"),
        };
        if image.trim().is_empty() {
            out.push(
                EMPTY_IMAGE
                    .at(image_path(), "the container image is empty")
                    .with_help("name the image, e.g. `ghcr.io/mycompany/order-service:1.0.0`"),
            );
            continue;
        }
        let reference = match ImageReference::parse(image) {
            Ok(reference) => reference,
            Err(problem) => {
                let lower = image.trim().to_ascii_lowercase();
                let help = if lower != image && ImageReference::parse(&lower).is_ok() {
                    format!("write the repository in lower case: `{lower}`")
                } else {
                    "write `[registry/]repository[:tag][@sha256:<hex>]`, the repository in lower case, without spaces".to_owned()
                };
                out.push(
                    INVALID_IMAGE_REFERENCE
                        .at(
                            image_path(),
                            format!("image `{image}` is not a valid reference: {problem}"),
                        )
                        .with_help(help),
                );
                continue;
            }
        };
        if reference.digest {
            continue;
        }
        let message = match reference.tag {
            None => format!(
                "image `{image}` has no tag, so it runs whatever `latest` is when a pod starts"
            ),
            Some("latest") => {
                format!("image `{image}` is tagged `latest`, which changes under running pods")
            }
            Some(_) => continue,
        };
        out.push(
            UNPINNED_IMAGE
                .at(image_path(), message)
                .with_help("pin a version tag (e.g. `:1.0.0`) or a digest (`@sha256:…`)"),
        );
    }
}

/// A subset that sets the very image another workload runs compares a version with itself.
fn check_canary_images(service: &Service, path: &LazyPath<'_>, out: &mut Diagnostics) {
    let effective = |index: usize| {
        service
            .subsets
            .get(index)
            .and_then(|s| s.image.as_deref())
            .unwrap_or(&service.image)
    };
    for (index, subset) in service.subsets.iter().enumerate().skip(1) {
        let Some(image) = subset.image.as_deref() else {
            continue;
        };
        let Some(same) = (0..index).find(|&earlier| effective(earlier) == image) else {
            continue;
        };
        let other = service.subsets.get(same).map_or("", |s| s.name.as_str());
        out.push(
            CANARY_SAME_IMAGE
                .at(
                    path().subset(&subset.name).field("image"),
                    format!("subset `{}` runs `{image}`, the same image as subset `{other}`: the split compares a version with itself", subset.name),
                )
                .with_help(format!("set subset `{}`'s image to the new version", subset.name)),
        );
    }
}

/// What the OCI distribution reference grammar reads in an image reference.
#[derive(Debug, PartialEq, Eq)]
struct ImageReference<'a> {
    tag: Option<&'a str>,
    digest: bool,
}

impl<'a> ImageReference<'a> {
    /// `[domain[:port]/]path[:tag][@algorithm:hex]`, or what is wrong with it.
    fn parse(image: &'a str) -> Result<Self, String> {
        if let Some(c) = image.chars().find(|c| c.is_whitespace()) {
            return Err(format!("it contains whitespace ({c:?})"));
        }
        let (rest, digest) = match image.split_once('@') {
            Some((rest, digest)) => (rest, Some(digest)),
            None => (image, None),
        };
        if let Some(digest) = digest {
            check_digest(digest)?;
        }
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest[last_slash..].rfind(':') {
            Some(colon) => {
                let colon = last_slash + colon;
                (&rest[..colon], Some(&rest[colon + 1..]))
            }
            None => (rest, None),
        };
        if let Some(tag) = tag {
            check_tag(tag)?;
        }
        check_name(name)?;
        Ok(Self {
            tag,
            digest: digest.is_some(),
        })
    }
}

fn check_digest(digest: &str) -> Result<(), String> {
    let Some((algorithm, hex)) = digest.split_once(':') else {
        return Err(format!("digest `{digest}` is not `algorithm:hex`"));
    };
    let algorithm_ok = algorithm.split(['+', '.', '-', '_']).all(|part| {
        part.starts_with(|c: char| c.is_ascii_alphabetic())
            && part.chars().all(|c| c.is_ascii_alphanumeric())
    });
    if !algorithm_ok || hex.len() < 32 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(format!(
            "digest `{digest}` is not `algorithm:hex` with at least 32 hex digits"
        ));
    }
    Ok(())
}

fn check_tag(tag: &str) -> Result<(), String> {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let valid = tag.len() <= MAX_TAG_LEN
        && tag.starts_with(word)
        && tag.chars().all(|c| word(c) || c == '.' || c == '-');
    if valid {
        Ok(())
    } else {
        Err(format!(
            "tag `{tag}` is not 1 to {MAX_TAG_LEN} letters, digits, `_`, `.` and `-`, starting with a letter, digit or `_`"
        ))
    }
}

fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("the repository is empty".to_owned());
    }
    if name.len() > MAX_NAME_LEN {
        return Err(format!(
            "the repository is longer than {MAX_NAME_LEN} characters"
        ));
    }
    let mut components: Vec<&str> = name.split('/').collect();
    let first = components.first().copied().unwrap_or_default();
    let is_domain = components.len() > 1
        && (first.contains(['.', ':'])
            || first == "localhost"
            || first.chars().any(|c| c.is_ascii_uppercase()));
    if is_domain {
        check_domain(first)?;
        components.remove(0);
    }
    for component in components {
        if !is_path_component(component) {
            return Err(format!(
                "repository part `{component}` is not lower-case letters and digits separated by `.`, `_`, `__` or `-`"
            ));
        }
    }
    Ok(())
}

fn check_domain(domain: &str) -> Result<(), String> {
    let (host, port) = match domain.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (domain, None),
    };
    let label_ok = |label: &str| {
        !label.is_empty()
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
    if host.split('.').all(label_ok) && port_ok {
        Ok(())
    } else {
        Err(format!(
            "registry `{domain}` is not a host name with an optional port"
        ))
    }
}

/// `[a-z0-9]+` parts joined by `.`, `_`, `__` or runs of `-`.
fn is_path_component(component: &str) -> bool {
    let bytes = component.as_bytes();
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if !bytes.first().copied().is_some_and(alnum) || !bytes.last().copied().is_some_and(alnum) {
        return false;
    }
    let mut index = 0;
    while index < bytes.len() {
        if alnum(bytes[index]) {
            index += 1;
            continue;
        }
        let start = index;
        while index < bytes.len() && !alnum(bytes[index]) {
            index += 1;
        }
        let separator = &component[start..index];
        let valid = matches!(separator, "." | "_" | "__") || separator.bytes().all(|b| b == b'-');
        if !valid {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_reference_grammar() {
        let ok = [
            (
                "ghcr.io/mycompany/order-service:1.0.0",
                Some("1.0.0"),
                false,
            ),
            ("order:1.0.0", Some("1.0.0"), false),
            ("localhost:5000/order", None, false),
            (
                "registry.example.com:5000/team/order-service:v1_2-rc.1",
                Some("v1_2-rc.1"),
                false,
            ),
            ("my__repo/a.b-c--d:latest", Some("latest"), false),
            (
                "order@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                None,
                true,
            ),
            ("MyRegistry.io/order:1", Some("1"), false),
        ];
        for (image, tag, digest) in ok {
            assert_eq!(
                ImageReference::parse(image),
                Ok(ImageReference { tag, digest }),
                "{image}"
            );
        }
        let bad = [
            "ghcr.io/MyCompany/order:1.0.0",
            "order service:1.0.0",
            "order:",
            "order:.1",
            "order@sha256:abc",
            "order/-x",
            "order/a___b",
            "/order",
            "order//x",
            "ghcr.io:port/order",
        ];
        for image in bad {
            assert!(ImageReference::parse(image).is_err(), "{image}");
        }
    }
}
