//! Prometheus metrics at `GET /metrics` (SPEC §5): requests, validations, issuances, queue depth.
//! Counters live in this process; the queue depth is read from the database at each scrape, so it
//! is the same whichever process answers.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

use crate::state::AppState;

const BUCKETS: [f64; 10] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, secs: f64) {
        for (i, bound) in BUCKETS.iter().enumerate() {
            if secs <= *bound {
                self.counts[i] += 1;
            }
        }
        self.count += 1;
        self.sum += secs;
    }
}

#[derive(Default)]
struct Registry {
    /// (method, status class) → duration histogram.
    requests: BTreeMap<(String, String), Histogram>,
    /// (challenge type, result) → count.
    validations: BTreeMap<(String, String), u64>,
    issuances: u64,
    /// (method, route) → database statements per request.
    statements: BTreeMap<(String, String), StatementCounts>,
}

/// Buckets of database statements per request.
const STATEMENT_BUCKETS: [u32; 8] = [1, 2, 4, 6, 8, 12, 16, 32];

#[derive(Default)]
struct StatementCounts {
    counts: [u64; STATEMENT_BUCKETS.len()],
    count: u64,
    sum: u64,
    max: u32,
}

static REGISTRY: Mutex<Option<Registry>> = Mutex::new(None);

fn with<R>(f: impl FnOnce(&mut Registry) -> R) -> R {
    let mut guard = REGISTRY.lock().unwrap_or_else(|e| e.into_inner());
    f(guard.get_or_insert_with(Registry::default))
}

/// Records one HTTP request.
pub fn request(method: &str, status: u16, elapsed: Duration) {
    let class = format!("{}xx", status / 100);
    with(|r| {
        r.requests
            .entry((method.to_owned(), class))
            .or_default()
            .observe(elapsed.as_secs_f64())
    });
}

/// Records how many database statements one request of `route` ran (R-ACME-12).
pub fn db_statements(method: &str, route: &str, n: u32) {
    with(|r| {
        let c = r
            .statements
            .entry((method.to_owned(), route.to_owned()))
            .or_default();
        for (i, bound) in STATEMENT_BUCKETS.iter().enumerate() {
            if n <= *bound {
                c.counts[i] += 1;
            }
        }
        c.count += 1;
        c.sum += u64::from(n);
        c.max = c.max.max(n);
    });
}

/// Records one finished validation.
pub fn validation(kind: &str, ok: bool) {
    let result = if ok { "valid" } else { "invalid" };
    with(|r| {
        *r.validations
            .entry((kind.to_owned(), result.to_owned()))
            .or_default() += 1
    });
}

/// Records one issued certificate.
pub fn issuance() {
    with(|r| r.issuances += 1);
}

/// The text exposition format.
pub fn render(queue_depth: Option<u64>) -> String {
    let mut out = String::new();
    with(|r| {
        out.push_str("# HELP certdirect_http_request_duration_seconds HTTP requests by method and status class.\n");
        out.push_str("# TYPE certdirect_http_request_duration_seconds histogram\n");
        for ((method, class), h) in &r.requests {
            let labels = format!("method=\"{method}\",status=\"{class}\"");
            for (bound, count) in BUCKETS.iter().zip(h.counts) {
                let _ = writeln!(out, "certdirect_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {count}");
            }
            let _ = writeln!(
                out,
                "certdirect_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "certdirect_http_request_duration_seconds_sum{{{labels}}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "certdirect_http_request_duration_seconds_count{{{labels}}} {}",
                h.count
            );
        }
        out.push_str("# HELP certdirect_validations_total Finished challenge validations by type and result.\n");
        out.push_str("# TYPE certdirect_validations_total counter\n");
        for ((kind, result), n) in &r.validations {
            let _ = writeln!(
                out,
                "certdirect_validations_total{{type=\"{kind}\",result=\"{result}\"}} {n}"
            );
        }
        out.push_str(
            "# HELP certdirect_certificates_issued_total Certificates issued by this process.\n",
        );
        out.push_str("# TYPE certdirect_certificates_issued_total counter\n");
        let _ = writeln!(out, "certdirect_certificates_issued_total {}", r.issuances);
        out.push_str("# HELP certdirect_db_statements_per_request Database statements one request ran, by route.\n");
        out.push_str("# TYPE certdirect_db_statements_per_request histogram\n");
        for ((method, route), c) in &r.statements {
            let labels = format!("method=\"{method}\",route=\"{route}\"");
            for (bound, count) in STATEMENT_BUCKETS.iter().zip(c.counts) {
                let _ = writeln!(out, "certdirect_db_statements_per_request_bucket{{{labels},le=\"{bound}\"}} {count}");
            }
            let _ = writeln!(
                out,
                "certdirect_db_statements_per_request_bucket{{{labels},le=\"+Inf\"}} {}",
                c.count
            );
            let _ = writeln!(
                out,
                "certdirect_db_statements_per_request_sum{{{labels}}} {}",
                c.sum
            );
            let _ = writeln!(
                out,
                "certdirect_db_statements_per_request_count{{{labels}}} {}",
                c.count
            );
        }
        out.push_str("# HELP certdirect_db_statements_per_request_max The most statements one request of the route ran.\n");
        out.push_str("# TYPE certdirect_db_statements_per_request_max gauge\n");
        for ((method, route), c) in &r.statements {
            let _ = writeln!(out, "certdirect_db_statements_per_request_max{{method=\"{method}\",route=\"{route}\"}} {}", c.max);
        }
    });
    if let Some(depth) = queue_depth {
        out.push_str("# HELP certdirect_validation_queue_depth Validation jobs not yet done (all processes).\n");
        out.push_str("# TYPE certdirect_validation_queue_depth gauge\n");
        let _ = writeln!(out, "certdirect_validation_queue_depth {depth}");
    }
    out
}

/// `GET /metrics`.
pub async fn handler(State(state): State<AppState>) -> impl IntoResponse {
    let depth = crate::queue::depth(&state.db).await.ok();
    let mut text = render(depth);
    // The mail outbox (docs/decisions.md, "Mail outbox"): emails not sent yet, and of them those
    // that keep failing (what the operator console lists).
    if let (Ok(pending), Ok(failing)) = (
        crate::mail::outbox::pending(&state.db).await,
        crate::mail::outbox::failing_count(&state.db).await,
    ) {
        text.push_str(
            "# HELP certdirect_mail_outbox_pending Emails not sent yet (all processes).\n",
        );
        text.push_str("# TYPE certdirect_mail_outbox_pending gauge\n");
        let _ = writeln!(text, "certdirect_mail_outbox_pending {pending}");
        text.push_str("# HELP certdirect_mail_outbox_failing Emails not sent after 3 attempts.\n");
        text.push_str("# TYPE certdirect_mail_outbox_failing gauge\n");
        let _ = writeln!(text, "certdirect_mail_outbox_failing {failing}");
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_exposition_format() {
        request("GET", 200, Duration::from_millis(3));
        request("GET", 200, Duration::from_millis(300));
        validation("http-01", true);
        issuance();
        let text = render(Some(4));
        assert!(text.contains("certdirect_http_request_duration_seconds_bucket{method=\"GET\",status=\"2xx\",le=\"0.005\"}"));
        assert!(text.contains("certdirect_validations_total{type=\"http-01\",result=\"valid\"}"));
        assert!(text.contains("certdirect_validation_queue_depth 4"));
        assert!(text.contains("# TYPE certdirect_certificates_issued_total counter"));
    }
}
