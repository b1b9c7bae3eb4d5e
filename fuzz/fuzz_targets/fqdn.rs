//! FQDN normalisation and coverage (R-FQDN-1..3): any input normalises or is refused with a
//! reason; a normalised name is stable (normalising it again gives it back) and covers itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::fqdn::{self, CertType};

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    for cert_type in [CertType::Dv, CertType::DvWildcard] {
        if let Ok(n) = fqdn::normalize(input, cert_type) {
            let again = fqdn::normalize(&n.ascii, cert_type).expect("a normalised name normalises");
            assert_eq!(again.ascii, n.ascii);
            let covered = fqdn::coverage(&n.ascii, cert_type);
            assert!(!covered.is_empty());
            for name in &covered {
                assert!(fqdn::covers(&n.ascii, cert_type, name), "{name}");
            }
        }
    }
});
