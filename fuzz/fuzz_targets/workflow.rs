//! The YAML loader, the span index and the input-document builder on arbitrary bytes:
//! no panic, and every span lies inside the file on character boundaries.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    shiplint::fuzzing::check_workflow_bytes(data);
});
