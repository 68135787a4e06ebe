//! The whole pipeline on arbitrary bytes as one repository's workflow: model, every
//! built-in policy, finding location and both renderers. No panic, locations in the file.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    shiplint::fuzzing::check_audit_bytes(data);
});
