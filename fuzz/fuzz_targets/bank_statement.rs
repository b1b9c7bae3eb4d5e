//! The bank statement CSV import (R-BILL-3): any upload is read into rows, each with an
//! invoice number and an amount or a reason it cannot be applied, or refused as a whole with a
//! reason; never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(rows) = certdirect::billing::statement::parse(data) {
        for row in rows {
            assert!(row.line >= 2);
        }
    }
});
