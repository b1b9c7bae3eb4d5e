//! Time is injected (DESIGN.md §3) so tests can move past expiries and deadlines without sleeping.

use chrono::{DateTime, Duration, Utc};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Instant, SystemTime};

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;

    /// Whether this is a test clock rather than the wall clock (`/api/v1/health` says so).
    fn is_test(&self) -> bool {
        false
    }
}

/// The wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stands still until moved: used by tests and by `--fake-time` style tooling.
#[derive(Debug)]
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        Self(Mutex::new(start))
    }

    pub fn set(&self, to: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = to;
    }

    pub fn advance(&self, by: Duration) {
        let mut now = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn is_test(&self) -> bool {
        true
    }
}

/// The browser tests' clock (`CERTDIRECT_TEST_CLOCK_FILE`): the file holds an RFC 3339
/// instant; time runs on from it (the instant plus the time elapsed since the file was read).
/// The file is read again whenever its modification time or length changes, so a test moves
/// the server by rewriting it. A missing or empty file means the system clock; a file that
/// holds no RFC 3339 instant is reported once per change and the system clock is used.
/// Every process that reads the same file agrees on the time (to within their reads).
#[derive(Debug)]
pub struct FileClock {
    path: PathBuf,
    state: Mutex<FileClockState>,
}

#[derive(Debug, Default)]
struct FileClockState {
    /// The file's modification time and length when it was last read; `None`: missing.
    seen: Option<(Option<SystemTime>, u64)>,
    /// The instant the file held and when it was read.
    base: Option<(DateTime<Utc>, Instant)>,
}

impl FileClock {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            state: Mutex::new(FileClockState::default()),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn read(&self) -> Option<DateTime<Utc>> {
        let text = std::fs::read_to_string(&self.path).ok()?;
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        match DateTime::parse_from_rfc3339(text) {
            Ok(t) => Some(t.to_utc()),
            Err(e) => {
                tracing::warn!(file = %self.path.display(), content = %text, error = %e,
                    "CERTDIRECT_TEST_CLOCK_FILE holds no RFC 3339 instant; using the system clock");
                None
            }
        }
    }
}

impl Clock for FileClock {
    fn now(&self) -> DateTime<Utc> {
        let seen = std::fs::metadata(&self.path)
            .ok()
            .map(|m| (m.modified().ok(), m.len()));
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if state.seen != seen {
            state.base = match seen {
                Some(_) => self.read().map(|t| (t, Instant::now())),
                None => None,
            };
            state.seen = seen;
        }
        match state.base {
            Some((at, read)) => {
                at + Duration::from_std(read.elapsed()).unwrap_or_else(|_| Duration::zero())
            }
            None => Utc::now(),
        }
    }

    fn is_test(&self) -> bool {
        true
    }
}

/// A time as RFC 3339 in UTC with whole seconds (`2026-11-29T12:00:00Z`), as ACME and the API show
/// times.
pub fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let start = DateTime::parse_from_rfc3339("2026-11-24T00:00:00Z")
            .unwrap()
            .to_utc();
        let clock = ManualClock::new(start);
        assert_eq!(clock.now(), start);
        clock.advance(Duration::days(14));
        assert_eq!(clock.now(), start + Duration::days(14));
        clock.set(start);
        assert_eq!(clock.now(), start);
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    /// Within `slack` after `t`.
    fn near(got: DateTime<Utc>, t: DateTime<Utc>) -> bool {
        got >= t && got - t < Duration::seconds(5)
    }

    #[test]
    fn file_clock_runs_on_from_the_instant_in_its_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("clock");
        let clock = FileClock::new(&file);
        assert!(clock.is_test());
        // Missing: the system clock.
        assert!(near(clock.now(), Utc::now() - Duration::seconds(1)));
        std::fs::write(&file, "2027-01-02T01:00:00Z\n").unwrap();
        let first = clock.now();
        assert!(near(first, at("2027-01-02T01:00:00Z")), "{first}");
        std::thread::sleep(std::time::Duration::from_millis(30));
        let later = clock.now();
        assert!(later > first, "time runs on: {first} then {later}");
        assert!(near(later, at("2027-01-02T01:00:00Z")));
        // A new instant (another length, so even a coarse mtime sees the change) moves it.
        std::fs::write(&file, "2027-10-01T09:00:00+09:00").unwrap();
        assert!(near(clock.now(), at("2027-10-01T00:00:00Z")));
        // Empty or garbage: the system clock again.
        std::fs::write(&file, "").unwrap();
        assert!(near(clock.now(), Utc::now() - Duration::seconds(1)));
        std::fs::write(&file, "next tuesday").unwrap();
        assert!(near(clock.now(), Utc::now() - Duration::seconds(1)));
        std::fs::remove_file(&file).unwrap();
        assert!(near(clock.now(), Utc::now() - Duration::seconds(1)));
        std::fs::write(&file, "2030-12-31T15:00:00Z").unwrap();
        assert!(near(clock.now(), at("2030-12-31T15:00:00Z")));
        assert!(!SystemClock.is_test());
    }
}
