//! The whole pipeline on arbitrary bytes as one repository's workflow: model, every
//! built-in policy, finding location and both renderers. No panic, locations in the file.
//! Then the same bytes as a repository on disk, its first byte choosing hostile entries
//! (symlinks out of the repository and into `.git`, named pipes): the local audit ends,
//! and no output shows what the links reach or a raw ESC.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    shiplint::fuzzing::check_audit_bytes(data);
    shiplint::fuzzing::check_audit_tree(data);
});
