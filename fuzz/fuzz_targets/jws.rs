//! JWS parsing and verification (R-ACME-2): any body either parses into a flattened JWS or is
//! refused with a JOSE error; a parsed one's embedded key is checked and used to verify without
//! panicking, and a key from the payload (as keyChange and EAB carry) is handled the same way.
#![no_main]

use certdirect::jose::{check_algorithm, Jwk, Jws};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(jws) = Jws::parse(data) else {
        return;
    };
    let _ = check_algorithm(&jws.protected.alg);
    if let Some(jwk) = &jws.protected.jwk {
        let _ = jwk.check();
        let _ = jwk.thumbprint();
        let _ = jws.verify(jwk);
    }
    let _ = jws.verify_hs256(b"a fuzzing key of thirty-two bytes");
    if let Ok(Some(payload)) = jws.payload_json() {
        if let Ok(inner) = Jwk::from_json(&payload) {
            let _ = inner.check();
            let _ = jws.verify(&inner);
        }
        let _ = Jws::from_value(payload);
    }
});
