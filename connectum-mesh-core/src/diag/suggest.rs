//! "Did you mean …?": the closest valid name to a wrong one.

/// The candidate closest to `wrong`, if one is close enough to be a likely typo.
///
/// Closeness is the Damerau–Levenshtein distance (a swapped pair of letters counts once), and a
/// candidate qualifies when it is at most a third of the longer name away, as rustc's
/// suggestions do. Case differences alone always qualify.
///
/// ```
/// use connectum_mesh_core::diag::closest;
///
/// assert_eq!(closest("canery", ["stable", "canary"]), Some("canary"));
/// assert_eq!(closest("payments", ["stable", "canary"]), None);
/// ```
#[must_use]
#[doc(hidden)]
pub fn closest<'a, I>(wrong: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    candidates
        .into_iter()
        .filter(|candidate| *candidate != wrong)
        .map(|candidate| (distance(wrong, candidate), candidate))
        .filter(|(distance, candidate)| {
            *distance <= wrong.chars().count().max(candidate.chars().count()).max(3) / 3
                || candidate.eq_ignore_ascii_case(wrong)
        })
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

fn distance(a: &str, b: &str) -> usize {
    strsim::damerau_levenshtein(a, b)
}

/// ` (did you mean `x`?)`-style help: "did you mean `canary`?" or the fallback text.
#[must_use]
#[doc(hidden)]
pub fn did_you_mean<'a, I>(wrong: &str, candidates: I, fallback: impl Into<String>) -> String
where
    I: IntoIterator<Item = &'a str>,
{
    closest(wrong, candidates)
        .map_or_else(|| fallback.into(), |name| format!("did you mean `{name}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_typos_and_case_but_not_strangers() {
        assert_eq!(closest("stabel", ["stable", "canary"]), Some("stable"));
        assert_eq!(closest("Canary", ["stable", "canary"]), Some("canary"));
        assert_eq!(closest("inventory", ["order-service"]), None);
        assert_eq!(closest("x", std::iter::empty()), None);
        assert_eq!(
            did_you_mean("ordr-service", ["order-service"], "declare it"),
            "did you mean `order-service`?"
        );
        assert_eq!(
            did_you_mean("zzz", ["order-service"], "declare it"),
            "declare it"
        );
    }
}
