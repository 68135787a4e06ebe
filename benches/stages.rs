//! Time per stage of an audit over the shared corpus of real workflows:
//! discover → load (read + parse) → model → evaluate → render.
//!
//! `cargo bench --bench stages` (set `SHIPLINT_CORPUS` to another folder of repositories;
//! default `../shared/corpus/workflows`). Whole-process runs and the comparison with
//! zizmor are in `bench/run.sh`.

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion};
use shiplint::audit::{audit_repository, AuditReport};
use shiplint::discover::{discover, DiscoverOptions};
use shiplint::model::build_input;
use shiplint::policy::PolicySet;
use shiplint::source::local;

// The allocator of the shiplint binary, so that stage times match a real run.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn corpus() -> Option<PathBuf> {
    let path = std::env::var_os("SHIPLINT_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/workflows")
        });
    path.is_dir().then_some(path)
}

fn stages(c: &mut Criterion) {
    let Some(corpus) = corpus() else {
        eprintln!("no corpus found: set SHIPLINT_CORPUS");
        return;
    };
    let opts = DiscoverOptions::default();
    let paths = vec![corpus];
    let policies = PolicySet::builtin().expect("built-in policies compile");

    let mut group = c.benchmark_group("corpus");
    group.sample_size(10);
    group.bench_function("discover", |b| b.iter(|| discover(&paths, &opts)));

    let (found, _) = discover(&paths, &opts);
    group.bench_function("load", |b| {
        b.iter(|| found.iter().cloned().map(local::load).collect::<Vec<_>>())
    });

    let repos: Vec<_> = found.iter().cloned().map(local::load).collect();
    group.bench_function("model", |b| {
        b.iter(|| repos.iter().map(build_input).collect::<Vec<_>>())
    });

    let inputs: Vec<_> = repos.iter().map(|r| build_input(r).0).collect();
    group.bench_function("evaluate", |b| {
        let mut engine = policies.engine();
        b.iter(|| {
            inputs
                .iter()
                .map(|i| policies.evaluate(&mut engine, i, false))
                .collect::<Vec<_>>()
        })
    });

    group.bench_function("compile policies", |b| b.iter(PolicySet::builtin));

    let mut report = AuditReport::default();
    let mut engine = policies.engine();
    for repo in found.iter().cloned().map(local::load) {
        report.absorb(audit_repository(&policies, &mut engine, repo));
    }
    group.bench_function("render human", |b| {
        b.iter(|| shiplint::report::human::render(&report, Default::default()))
    });
    group.bench_function("render json", |b| {
        b.iter(|| shiplint::report::json::render(&report))
    });
    group.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
