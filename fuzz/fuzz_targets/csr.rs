//! CSR checks for finalize (R-ACME-6): any DER either passes the checks with names and a key,
//! or is refused with a reason; never a panic (the all-zero RSA modulus was one).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(csr) = certdirect::ca::csr::check(data) {
        assert!(!csr.names.is_empty());
        let _ = csr.key.thumbprint();
    }
});
