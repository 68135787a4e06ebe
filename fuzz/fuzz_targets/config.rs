//! The configuration loader (`.github/shiplint.yml`) on arbitrary bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    shiplint::fuzzing::check_config_bytes(data);
});
