//! The virtual clock: the only source of "now" in the simulator.
//!
//! Time moves only when a caller says so (`advance_by`, `advance_to`). The browser
//! follows the wall clock by calling `advance_to`; transcripts and tests move it
//! explicitly, so every run replays identically.

use k8s_openapi::chrono::{DateTime, Duration, TimeZone, Utc};

/// The virtual clock. Times are UTC with millisecond precision in practice.
#[derive(Clone, Debug)]
pub struct Clock {
    now: DateTime<Utc>,
}

impl Clock {
    pub fn new(start: DateTime<Utc>) -> Self {
        Clock { now: start }
    }

    /// A clock at a Unix time in milliseconds; out-of-range values fall back to the epoch
    /// rather than panicking, since the value can come from a saved state or a browser.
    pub fn from_unix_millis(millis: i64) -> Self {
        Clock::new(Utc.timestamp_millis_opt(millis).single().unwrap_or_default())
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// Moves the clock forward; a negative duration is ignored (time never goes back).
    pub fn advance_by(&mut self, by: Duration) {
        if by > Duration::zero() {
            self.now += by;
        }
    }

    /// Moves the clock to `to` if that is later than now.
    pub fn advance_to(&mut self, to: DateTime<Utc>) {
        if to > self.now {
            self.now = to;
        }
    }
}
