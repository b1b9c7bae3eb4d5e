//! CA/Browser Forum Baseline Requirements (docs/compliance.md): leaf validity by the date of
//! issuance (R-CA-2, BR 6.3.2).

use chrono::{DateTime, Duration, Utc};

use crate::orders::{env_with, pem_blocks};

fn validity_of(chain: &str) -> (DateTime<Utc>, DateTime<Utc>) {
    let leaf = pem_blocks(chain).remove(0);
    let (_, cert) = x509_parser::parse_x509_certificate(&leaf).unwrap();
    let at = |t: x509_parser::time::ASN1Time| DateTime::from_timestamp(t.timestamp(), 0).unwrap();
    (
        at(cert.validity().not_before),
        at(cert.validity().not_after),
    )
}

/// R-CA-2, BR 6.3.2: with 180 days configured, a certificate issued before 2027-03-15 is valid
/// for 180 days (under the 200-day maximum), one issued after it for one day under 100.
#[tokio::test]
async fn leaf_validity_follows_the_br_maximum_of_the_day() {
    let e = env_with(&[("CERTDIRECT_CERT_VALIDITY_DAYS", "180")], true).await;
    e.buy("before.jp", "dv").await;
    e.buy("after.jp", "dv").await;
    let (_, chain) = e.issue_http(&["before.jp"]).await;
    let (nb, na) = validity_of(&chain);
    assert_eq!(na - e.app.clock_now(), Duration::days(180));
    assert!(na - nb + Duration::seconds(1) <= Duration::days(199));

    let day = DateTime::parse_from_rfc3339("2027-03-16T09:00:00Z")
        .unwrap()
        .to_utc();
    e.app.clock.advance(day - e.app.clock_now());
    let (_, chain) = e.issue_http(&["after.jp"]).await;
    let (nb, na) = validity_of(&chain);
    assert!(
        na - nb <= Duration::days(99),
        "{nb} to {na} is over 99 days"
    );
    assert!(na - nb + Duration::seconds(1) <= Duration::days(99));
    assert!(na - nb > Duration::days(98), "{nb} to {na}: cut too far");
}
