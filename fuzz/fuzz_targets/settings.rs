//! The settings loader (`--settings FILE`, the API's bodies) and the settings rules on
//! arbitrary bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    shiplint::fuzzing::check_settings_bytes(data);
});
