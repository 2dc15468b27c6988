//! The retry policy Istio puts on a route (istio/istio `pilot/pkg/networking/core/route/retry/retry.go`).

use std::time::Duration;

use serde_json::Value;

use super::{MeaningError, duration_field, malformed};

/// Istio's implicit retry attempts for a route without a `retries` block.
pub const DEFAULT_RETRY_ATTEMPTS: u32 = 2;

/// Istio's implicit `retryOn` for a route without a `retries` block, or with one that sets
/// `attempts` but no `retryOn`.
pub const DEFAULT_RETRY_ON: [&str; 5] = [
    "connect-failure",
    "refused-stream",
    "unavailable",
    "cancelled",
    "retriable-status-codes",
];

/// The status codes Istio's implicit policy retries (`retriable-status-codes`): 503.
pub const DEFAULT_RETRIABLE_STATUS_CODES: [u16; 1] = [503];

/// The retry policy in effect on a route.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EffectiveRetries {
    /// Retries after the first try (0: retries are off). At most `1 + attempts` requests.
    pub attempts: u32,
    /// The conditions retried on, as Envoy receives them.
    pub retry_on: Vec<String>,
    /// The status codes `retriable-status-codes` covers.
    pub retriable_status_codes: Vec<u16>,
    /// The timeout of each try; `None` means each try may use the whole route timeout.
    pub per_try_timeout: Option<Duration>,
}

impl EffectiveRetries {
    /// Istio's policy for a route without a `retries` block.
    #[must_use]
    pub fn istio_default() -> Self {
        Self {
            attempts: DEFAULT_RETRY_ATTEMPTS,
            retry_on: DEFAULT_RETRY_ON.iter().map(|s| (*s).to_owned()).collect(),
            retriable_status_codes: DEFAULT_RETRIABLE_STATUS_CODES.to_vec(),
            per_try_timeout: None,
        }
    }

    /// No retries (`attempts: 0`).
    #[must_use]
    pub fn disabled() -> Self {
        Self {
            attempts: 0,
            retry_on: Vec::new(),
            retriable_status_codes: Vec::new(),
            per_try_timeout: None,
        }
    }
}

/// The HTTP status codes Go's `http.StatusText` knows; Istio reads a number in `retryOn` as a
/// status code only when it is one of these.
const KNOWN_STATUS_CODES: [u16; 62] = [
    100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304,
    305, 307, 308, 400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415,
    416, 417, 418, 421, 422, 423, 424, 425, 426, 428, 429, 431, 451, 500, 501, 502, 503, 504, 505,
    506, 507, 508, 510, 511,
];

pub(super) fn effective_retries(
    route: &Value,
    path: &str,
) -> Result<EffectiveRetries, MeaningError> {
    let Some(retries) = route.get("retries") else {
        return Ok(EffectiveRetries::istio_default());
    };
    let attempts = match retries.get("attempts") {
        None => 0,
        Some(value) => value
            .as_i64()
            .ok_or_else(|| malformed(format!("{path}.retries.attempts is not an integer")))?,
    };
    if attempts <= 0 {
        return Ok(EffectiveRetries::disabled());
    }
    let mut effective = EffectiveRetries::istio_default();
    effective.attempts = u32::try_from(attempts)
        .map_err(|_| malformed(format!("{path}.retries.attempts is out of range")))?;
    if let Some(text) = retries.get("retryOn").and_then(Value::as_str)
        && !text.is_empty()
    {
        let mut retry_on = Vec::new();
        let mut codes = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match part.parse::<u16>() {
                Ok(code) if KNOWN_STATUS_CODES.contains(&code) => codes.push(code),
                _ => retry_on.push(part.to_owned()),
            }
        }
        if !codes.is_empty() && !retry_on.iter().any(|r| r == "retriable-status-codes") {
            retry_on.push("retriable-status-codes".to_owned());
        }
        effective.retry_on = retry_on;
        effective.retriable_status_codes = codes;
    }
    if let Some(per_try) = retries.get("perTryTimeout") {
        effective.per_try_timeout = Some(duration_field(
            per_try,
            &format!("{path}.retries.perTryTimeout"),
        )?);
    }
    Ok(effective)
}
