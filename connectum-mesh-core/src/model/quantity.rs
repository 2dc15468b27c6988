//! Kubernetes resource quantities (`100m`, `128Mi`, `0.5`).

use std::fmt;
use std::str::FromStr;

/// A Kubernetes resource quantity such as `100m` (CPU) or `128Mi` (memory).
///
/// Holds only text that matches Kubernetes' quantity grammar, so every value renders into a
/// Deployment or a `sidecar.istio.io/proxy*` annotation that the API server accepts.
///
/// ```
/// use connectum_mesh_core::Quantity;
///
/// assert_eq!(Quantity::millicores(100).to_string(), "100m");
/// assert_eq!(Quantity::mebibytes(128).to_string(), "128Mi");
/// assert_eq!("0.5".parse::<Quantity>()?.to_string(), "0.5");
/// assert!("128MB".parse::<Quantity>().is_err());
/// # Ok::<(), connectum_mesh_core::QuantityError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Quantity(String);

/// Why a text is not a Kubernetes quantity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuantityError {
    /// The text as given.
    pub input: String,
}

impl fmt::Display for QuantityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not a Kubernetes quantity; write CPU like `100m` or `0.5` and memory like `128Mi` or `1Gi`",
            self.input
        )
    }
}

impl std::error::Error for QuantityError {}

const SUFFIXES: [&str; 14] = [
    "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "n", "u", "m", "k", "M", "G", "T", "P",
];

impl Quantity {
    /// CPU in thousandths of a core: `millicores(100)` is `100m`.
    #[must_use]
    pub fn millicores(millis: u32) -> Self {
        Self(format!("{millis}m"))
    }

    /// Whole CPU cores.
    #[must_use]
    pub fn cores(cores: u32) -> Self {
        Self(cores.to_string())
    }

    /// Memory in mebibytes: `mebibytes(128)` is `128Mi`.
    #[must_use]
    pub fn mebibytes(mib: u32) -> Self {
        Self(format!("{mib}Mi"))
    }

    /// Memory in gibibytes: `gibibytes(1)` is `1Gi`.
    #[must_use]
    pub fn gibibytes(gib: u32) -> Self {
        Self(format!("{gib}Gi"))
    }

    /// Parses Kubernetes quantity syntax: a signed decimal number, then an optional binary
    /// (`Ki`…`Ei`), decimal (`n u m k M G T P E`) or exponent (`e3`) suffix.
    ///
    /// # Errors
    /// [`QuantityError`] when the text does not match that grammar.
    pub fn parse(input: &str) -> Result<Self, QuantityError> {
        if is_quantity(input) {
            Ok(Self(input.to_owned()))
        } else {
            Err(QuantityError {
                input: input.to_owned(),
            })
        }
    }

    /// The quantity as Kubernetes writes it.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The quantity's value in base units (cores, bytes), as a float: enough to compare a
    /// request with its limit or to tell a negative quantity, not for exact arithmetic.
    ///
    /// ```
    /// use connectum_mesh_core::Quantity;
    ///
    /// assert_eq!(Quantity::millicores(500).value(), 0.5);
    /// assert_eq!(Quantity::mebibytes(1).value(), 1_048_576.0);
    /// assert!(Quantity::millicores(100).value() < Quantity::cores(1).value());
    /// ```
    #[must_use]
    pub fn value(&self) -> f64 {
        let text = self.0.as_str();
        let number_len = text
            .bytes()
            .enumerate()
            .take_while(|(i, b)| {
                b.is_ascii_digit() || *b == b'.' || (*i == 0 && matches!(b, b'+' | b'-'))
            })
            .count();
        let (number, suffix) = text.split_at(number_len);
        let number: f64 = number.parse().unwrap_or(0.0);
        let scale = match suffix {
            "" => 1.0,
            "n" => 1e-9,
            "u" => 1e-6,
            "m" => 1e-3,
            "k" => 1e3,
            "M" => 1e6,
            "G" => 1e9,
            "T" => 1e12,
            "P" => 1e15,
            "E" => 1e18,
            "Ki" => 1024.0,
            "Mi" => 1024.0_f64.powi(2),
            "Gi" => 1024.0_f64.powi(3),
            "Ti" => 1024.0_f64.powi(4),
            "Pi" => 1024.0_f64.powi(5),
            "Ei" => 1024.0_f64.powi(6),
            exponent => exponent
                .get(1..)
                .and_then(|e| e.parse::<i32>().ok())
                .map_or(1.0, |e| 10.0_f64.powi(e)),
        };
        number * scale
    }
}

fn is_quantity(text: &str) -> bool {
    let unsigned = text
        .strip_prefix('+')
        .or_else(|| text.strip_prefix('-'))
        .unwrap_or(text);
    let number_len = unsigned
        .bytes()
        .take_while(|b| b.is_ascii_digit() || *b == b'.')
        .count();
    let (number, suffix) = unsigned.split_at(number_len);
    let dots = number.bytes().filter(|b| *b == b'.').count();
    let has_digit = number.bytes().any(|b| b.is_ascii_digit());
    if !has_digit || dots > 1 {
        return false;
    }
    if suffix.is_empty() || SUFFIXES.contains(&suffix) || suffix == "E" {
        return true;
    }
    // Decimal exponent: e3, E-2, e+6.
    let Some(exponent) = suffix.strip_prefix(['e', 'E']) else {
        return false;
    };
    let digits = exponent
        .strip_prefix('+')
        .or_else(|| exponent.strip_prefix('-'))
        .unwrap_or(exponent);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

impl FromStr for Quantity {
    type Err = QuantityError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_kubernetes_forms() {
        for ok in [
            "100m", "0.5", "1", "128Mi", "1Gi", "2Ti", "500k", "1e3", "1E-2", "+1", ".5", "1.",
            "3E",
        ] {
            assert!(Quantity::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn refuses_other_forms() {
        for bad in ["", "m", "128MB", "1.2.3", "Mi", "1 Gi", "1e", "ten", "1Gb"] {
            assert_eq!(
                Quantity::parse(bad),
                Err(QuantityError {
                    input: bad.to_owned()
                }),
                "{bad}"
            );
        }
    }

    #[test]
    fn constructors_print_kubernetes_text() {
        assert_eq!(Quantity::millicores(500).as_str(), "500m");
        assert_eq!(Quantity::cores(2).as_str(), "2");
        assert_eq!(Quantity::gibibytes(1).as_str(), "1Gi");
    }

    #[test]
    fn values_compare_across_suffixes() {
        let value = |text: &str| Quantity::parse(text).map(|q| q.value()).unwrap_or(f64::NAN);
        assert_eq!(value("1e3"), 1000.0);
        assert_eq!(value("1E-2"), 0.01);
        assert_eq!(value("1k"), 1000.0);
        assert_eq!(value("1Ki"), 1024.0);
        assert_eq!(value("-1"), -1.0);
        assert_eq!(value(".5"), 0.5);
        assert!(value("512Mi") < value("1Gi"));
    }
}
