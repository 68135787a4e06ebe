//! What the tests share: one fake GitHub API ([`fake_github`]) serving recorded bodies and,
//! for org sweeps, a generated organization ([`synthetic_org`]). The benchmark server
//! (`examples/fake_github.rs`) is this same code.

pub mod fake_github;
pub mod synthetic_org;
