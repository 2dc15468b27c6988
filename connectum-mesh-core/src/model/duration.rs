//! Istio durations: Go `time.ParseDuration` syntax, whole milliseconds, at least 1ms.

use std::fmt;
use std::str::FromStr;

/// A duration as Istio accepts it: at least 1ms and a whole number of milliseconds.
///
/// Istio reads durations in Go's `time.ParseDuration` syntax (`30s`, `250ms`, `1m30s`, `1.5s`).
/// Its CRDs reject anything under 1ms (CEL `duration(self) >= duration('1ms')`) and its webhook
/// rejects sub-millisecond precision, so this type cannot hold either: every value it holds is one
/// Istio takes. It prints in the shortest Go form (`90s` prints as `1m30s`), which parses back to
/// the same value.
///
/// ```
/// use connectum_mesh_core::Duration;
///
/// let d: Duration = "1m30s".parse()?;
/// assert_eq!(d, Duration::from_secs(90));
/// assert_eq!(d.to_string(), "1m30s");
/// assert_eq!(Duration::from_millis(250).to_string(), "250ms");
/// assert!("500us".parse::<Duration>().is_err()); // under 1ms
/// # Ok::<(), connectum_mesh_core::DurationError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Duration {
    millis: u64,
}

/// Why a text is not an Istio duration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DurationError {
    /// The text is not Go duration syntax (`30s`, `250ms`, `1m30s`).
    Syntax {
        /// The text as given.
        input: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The duration is negative; Istio durations are positive.
    Negative {
        /// The text as given.
        input: String,
    },
    /// The duration is under Istio's 1ms minimum (this includes zero).
    TooShort {
        /// The text as given.
        input: String,
    },
    /// The duration is not a whole number of milliseconds, which Istio's webhook rejects.
    SubMillisecond {
        /// The text as given.
        input: String,
    },
    /// The duration does not fit in 64 bits of milliseconds.
    Overflow {
        /// The text as given.
        input: String,
    },
}

impl fmt::Display for DurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Syntax { input, reason } => write!(
                f,
                "`{input}` is not a duration ({reason}); write it like `30s`, `250ms` or `1m30s`"
            ),
            Self::Negative { input } => {
                write!(f, "`{input}` is negative; Istio durations must be positive")
            }
            Self::TooShort { input } => write!(
                f,
                "`{input}` is under 1ms; Istio rejects durations shorter than 1ms"
            ),
            Self::SubMillisecond { input } => write!(
                f,
                "`{input}` is not a whole number of milliseconds; Istio supports only millisecond precision"
            ),
            Self::Overflow { input } => write!(
                f,
                "`{input}` is longer than Istio can represent (Go durations end at about 2562047h)"
            ),
        }
    }
}

impl std::error::Error for DurationError {}

const NANOS_PER_MILLI: u128 = 1_000_000;
/// Go's `time.Duration` is an `int64` of nanoseconds; Istio and Kubernetes' CEL refuse longer.
const MAX_NANOS: u128 = i64::MAX as u128;

impl Duration {
    /// The longest duration Go (and so Istio) can represent: about 106,751 days.
    pub const MAX: Self = Self {
        millis: (MAX_NANOS / NANOS_PER_MILLI) as u64,
    };

    /// A duration of `millis` milliseconds.
    ///
    /// Zero is not a valid Istio duration; use [`Duration::try_from_millis`] when the value may
    /// be zero. In a `const` context a zero argument (or one above [`Duration::MAX`]) is a
    /// compile error.
    ///
    /// ```compile_fail
    /// const NEVER: connectum_mesh_core::Duration = connectum_mesh_core::Duration::from_millis(0);
    /// ```
    #[must_use]
    pub const fn from_millis(millis: u64) -> Self {
        assert!(millis >= 1, "an Istio duration must be at least 1ms");
        assert!(
            millis <= Self::MAX.millis,
            "an Istio duration must fit Go's int64 nanoseconds"
        );
        Self { millis }
    }

    /// A duration of `secs` seconds. Panics (a compile error in `const` context) when zero.
    #[must_use]
    pub const fn from_secs(secs: u64) -> Self {
        Self::from_millis(secs * 1000)
    }

    /// A duration of `millis` milliseconds, or `None` for zero or more than [`Duration::MAX`].
    #[must_use]
    pub const fn try_from_millis(millis: u64) -> Option<Self> {
        if millis == 0 || millis > Self::MAX.millis {
            None
        } else {
            Some(Self { millis })
        }
    }

    /// The duration in whole milliseconds.
    #[must_use]
    pub const fn as_millis(self) -> u64 {
        self.millis
    }

    /// Parses Go `time.ParseDuration` syntax and enforces Istio's limits.
    ///
    /// # Errors
    /// [`DurationError`] when the text is not Go syntax, negative, under 1ms or finer than 1ms.
    pub fn parse(input: &str) -> Result<Self, DurationError> {
        let nanos = parse_go_nanos(input)?;
        if nanos == 0 {
            return Err(DurationError::TooShort {
                input: input.to_owned(),
            });
        }
        if nanos < NANOS_PER_MILLI {
            return Err(DurationError::TooShort {
                input: input.to_owned(),
            });
        }
        if nanos % NANOS_PER_MILLI != 0 {
            return Err(DurationError::SubMillisecond {
                input: input.to_owned(),
            });
        }
        u64::try_from(nanos / NANOS_PER_MILLI)
            .map(|millis| Self { millis })
            .map_err(|_| DurationError::Overflow {
                input: input.to_owned(),
            })
    }

    /// This duration times `factor`, saturating at [`Duration::MAX`].
    #[must_use]
    pub const fn saturating_mul(self, factor: u64) -> Self {
        Self::clamped(self.millis.saturating_mul(factor))
    }

    /// The sum of two durations, saturating at [`Duration::MAX`].
    #[must_use]
    pub const fn saturating_add(self, other: Self) -> Self {
        Self::clamped(self.millis.saturating_add(other.millis))
    }

    const fn clamped(millis: u64) -> Self {
        if millis > Self::MAX.millis {
            Self::MAX
        } else {
            Self { millis }
        }
    }
}

/// Go's `time.ParseDuration` grammar, returning whole nanoseconds (at most Go's `int64` range).
fn parse_go_nanos(input: &str) -> Result<u128, DurationError> {
    let syntax = |reason| DurationError::Syntax {
        input: input.to_owned(),
        reason,
    };
    let mut rest = input;
    let mut negative = false;
    if let Some(r) = rest.strip_prefix('-') {
        negative = true;
        rest = r;
    } else if let Some(r) = rest.strip_prefix('+') {
        rest = r;
    }
    if rest == "0" {
        return if negative {
            Err(DurationError::Negative {
                input: input.to_owned(),
            })
        } else {
            Ok(0)
        };
    }
    if rest.is_empty() {
        return Err(syntax("it is empty"));
    }
    let mut total: u128 = 0;
    while !rest.is_empty() {
        let int_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let (int_part, after_int) = rest.split_at(int_len);
        let (frac_part, after_number) = match after_int.strip_prefix('.') {
            Some(after_dot) => {
                let frac_len = after_dot.bytes().take_while(u8::is_ascii_digit).count();
                after_dot.split_at(frac_len)
            }
            None => ("", after_int),
        };
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(syntax("a number is missing"));
        }
        let unit_len = after_number
            .char_indices()
            .find(|(_, c)| c.is_ascii_digit() || *c == '.')
            .map_or(after_number.len(), |(i, _)| i);
        let (unit, after_unit) = after_number.split_at(unit_len);
        let unit_nanos: u128 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            "" => return Err(syntax("a unit is missing: use ns, us, ms, s, m or h")),
            _ => return Err(syntax("the unit is unknown: use ns, us, ms, s, m or h")),
        };
        let overflow = || DurationError::Overflow {
            input: input.to_owned(),
        };
        // 39 digits overflow u128; anything longer than 30 is far past 2^64 ms anyway.
        if int_part.len() > 30 {
            return Err(overflow());
        }
        let whole: u128 = if int_part.is_empty() {
            0
        } else {
            int_part.parse().map_err(|_| overflow())?
        };
        let mut nanos = whole.checked_mul(unit_nanos).ok_or_else(overflow)?;
        if !frac_part.is_empty() {
            // Exact: fraction × unit / 10^digits, refusing a remainder below 1ns like Go truncates.
            let digits = frac_part.trim_end_matches('0');
            if digits.len() > 30 {
                return Err(syntax("the fraction is too long"));
            }
            if !digits.is_empty() {
                let numerator: u128 = digits.parse().map_err(|_| overflow())?;
                let scale = 10u128.pow(u32::try_from(digits.len()).map_err(|_| overflow())?);
                let scaled = numerator.checked_mul(unit_nanos).ok_or_else(overflow)?;
                nanos = nanos.checked_add(scaled / scale).ok_or_else(overflow)?;
                if scaled % scale != 0 {
                    // Below a nanosecond: certainly not whole milliseconds.
                    nanos = nanos.checked_add(1).ok_or_else(overflow)?;
                }
            }
        }
        total = total.checked_add(nanos).ok_or_else(overflow)?;
        if total > MAX_NANOS {
            return Err(overflow());
        }
        rest = after_unit;
    }
    if negative && total > 0 {
        return Err(DurationError::Negative {
            input: input.to_owned(),
        });
    }
    Ok(total)
}

impl FromStr for Duration {
    type Err = DurationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<&str> for Duration {
    type Error = DurationError;

    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Self::parse(s)
    }
}

impl From<Duration> for std::time::Duration {
    fn from(d: Duration) -> Self {
        std::time::Duration::from_millis(d.millis)
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let millis = self.millis;
        if millis < 1000 {
            return write!(f, "{millis}ms");
        }
        let hours = millis / 3_600_000;
        let minutes = (millis / 60_000) % 60;
        let secs = (millis / 1000) % 60;
        let frac = millis % 1000;
        if hours > 0 {
            write!(f, "{hours}h")?;
        }
        if minutes > 0 {
            write!(f, "{minutes}m")?;
        }
        if secs > 0 || frac > 0 {
            write!(f, "{secs}")?;
            if frac > 0 {
                let digits = format!("{frac:03}");
                write!(f, ".{}", digits.trim_end_matches('0'))?;
            }
            write!(f, "s")?;
        }
        Ok(())
    }
}

impl serde::Serialize for Duration {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Duration {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_go_forms() {
        let cases = [
            ("30s", 30_000),
            ("250ms", 250),
            ("1m30s", 90_000),
            ("1.5s", 1_500),
            ("2h", 7_200_000),
            ("1h0m0s", 3_600_000),
            ("3.000s", 3_000),
            ("1000000ns", 1),
            ("1000us", 1),
            ("1000µs", 1),
            (".5s", 500),
            ("+10s", 10_000),
            ("1m0.001s", 60_001),
        ];
        for (text, millis) in cases {
            assert_eq!(
                Duration::parse(text).map(Duration::as_millis),
                Ok(millis),
                "{text}"
            );
        }
    }

    #[test]
    fn refuses_what_istio_refuses() {
        assert!(matches!(
            Duration::parse("0s"),
            Err(DurationError::TooShort { .. })
        ));
        assert!(matches!(
            Duration::parse("0"),
            Err(DurationError::TooShort { .. })
        ));
        assert!(matches!(
            Duration::parse("999us"),
            Err(DurationError::TooShort { .. })
        ));
        assert!(matches!(
            Duration::parse("1500us"),
            Err(DurationError::SubMillisecond { .. })
        ));
        assert!(matches!(
            Duration::parse("1.0005s"),
            Err(DurationError::SubMillisecond { .. })
        ));
        assert!(matches!(
            Duration::parse("-5s"),
            Err(DurationError::Negative { .. })
        ));
        for bad in [
            "", "30", "s", "30 s", "30sec", "1d", "1.2.3s", "ms5", "--1s",
        ] {
            assert!(
                matches!(Duration::parse(bad), Err(DurationError::Syntax { .. })),
                "{bad:?} should be a syntax error, got {:?}",
                Duration::parse(bad)
            );
        }
        assert!(matches!(
            Duration::parse("99999999999999999999999h"),
            Err(DurationError::Overflow { .. })
        ));
        // Go's limit is int64 nanoseconds, 2562047h47m16.854775807s.
        assert!(Duration::parse("2562047h").is_ok());
        assert!(matches!(
            Duration::parse("2562048h"),
            Err(DurationError::Overflow { .. })
        ));
        assert_eq!(
            Duration::MAX.saturating_add(Duration::from_secs(1)),
            Duration::MAX
        );
        assert_eq!(Duration::try_from_millis(u64::MAX), None);
    }

    #[test]
    fn error_messages_name_the_input_and_the_fix() {
        let message = Duration::parse("30sec")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(message.contains("`30sec`"), "{message}");
        assert!(message.contains("250ms"), "{message}");
        let message = Duration::parse("0s")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(message.contains("under 1ms"), "{message}");
    }

    #[test]
    fn prints_shortest_go_form() {
        let cases = [
            (1, "1ms"),
            (250, "250ms"),
            (1_000, "1s"),
            (1_500, "1.5s"),
            (1_250, "1.25s"),
            (30_000, "30s"),
            (60_000, "1m"),
            (90_000, "1m30s"),
            (3_600_000, "1h"),
            (3_661_001, "1h1m1.001s"),
        ];
        for (millis, text) in cases {
            assert_eq!(Duration::from_millis(millis).to_string(), text);
        }
    }

    #[test]
    fn serde_uses_the_text_form() {
        let d = Duration::from_secs(30);
        assert_eq!(serde_json::to_string(&d).ok().as_deref(), Some("\"30s\""));
        let back: Result<Duration, _> = serde_json::from_str("\"1m30s\"");
        assert_eq!(back.ok(), Some(Duration::from_secs(90)));
        let refused: Result<Duration, _> = serde_json::from_str("\"0s\"");
        assert!(refused.is_err());
    }

    proptest! {
        #[test]
        fn display_parses_back(millis in 1u64..=Duration::MAX.as_millis()) {
            let d = Duration::from_millis(millis);
            prop_assert_eq!(Duration::parse(&d.to_string()), Ok(d));
        }

        #[test]
        fn parse_never_panics(text in "\\PC{0,24}") {
            let _ = Duration::parse(&text);
        }
    }
}
