#!/usr/bin/env python3
"""Whole-process benchmarks: shiplint against zizmor on the same files, run alternately.

Measures wall time (median of --runs) and peak memory (max RSS) of complete processes on
  1. the shared corpus of real workflows, and
  2. generated trees: the corpus replicated into repositories of 10 workflow files each,
     at 1,000 / 5,000 / 10,000 files (the scaling series).
Prints a Markdown table (docs/performance.md holds the last run). Usage:
  bench/run.sh                      # builds the release binary first, then runs this
  bench/compare.py --runs 5 --sizes 1000,5000,10000 --no-zizmor
"""
import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def workflow_files(corpus: Path):
    files = sorted(corpus.glob("*/.github/workflows/*.y*ml"))
    if not files:
        sys.exit(f"no workflows under {corpus}")
    return files


def generate_tree(corpus: Path, n_files: int, dest: Path, per_repo: int = 10):
    """Copies corpus workflows round-robin into repositories of `per_repo` files."""
    files = workflow_files(corpus)
    for i in range(n_files):
        src = files[i % len(files)]
        repo = dest / f"repo{i // per_repo:05d}" / ".github" / "workflows"
        repo.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, repo / f"w{i % per_repo:02d}-{src.name}")
    return dest


def measure(cmd):
    """Runs cmd once; returns (wall seconds, peak RSS in MiB) of the child alone."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    return wall, usage.ru_maxrss / 1024


def bench(label, tools, target, runs):
    results = {name: [] for name in tools}
    for _ in range(runs):  # alternate the tools run by run
        for name, cmd in tools.items():
            results[name].append(measure(cmd + [str(target)]))
    rows = []
    for name, samples in results.items():
        walls = [w for w, _ in samples]
        rows.append((label, name, statistics.median(walls), min(walls), max(m for _, m in samples)))
    return rows


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--corpus", type=Path, default=ROOT.parent / "shared/corpus/workflows")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--sizes", default="1000,5000,10000")
    p.add_argument("--no-zizmor", action="store_true")
    args = p.parse_args()

    shiplint = ROOT / "target/release/shiplint"
    if not shiplint.exists():
        sys.exit("build first: cargo build --release")
    tools = {"shiplint": [str(shiplint), "audit", "--offline", "--format", "json", "--fail-on", "never"]}
    if not args.no_zizmor and shutil.which("zizmor"):
        tools["zizmor"] = ["zizmor", "--offline", "--format", "json", "--no-progress"]

    n_corpus = len(workflow_files(args.corpus))
    rows = bench(f"corpus ({n_corpus} files)", tools, args.corpus, args.runs)
    with tempfile.TemporaryDirectory() as tmp:
        for size in [int(s) for s in args.sizes.split(",") if s]:
            tree = generate_tree(args.corpus, size, Path(tmp) / f"tree{size}")
            rows += bench(f"{size} files / {size // 10} repos", tools, tree, args.runs)

    cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"],
                         capture_output=True, text=True).stdout.strip()
    print(f"machine: {os.cpu_count()} cores, {cpu}; {args.runs} runs each, alternating\n")
    print("| input | tool | median wall | fastest | peak memory | files/s (median) |")
    print("|---|---|---|---|---|---|")
    for label, name, med, best, mem in rows:
        files = int(label.split()[0]) if label[0].isdigit() else n_corpus
        print(f"| {label} | {name} | {med * 1000:.0f} ms | {best * 1000:.0f} ms | {mem:.0f} MiB | {files / med:,.0f} |")
    by_label = {}
    for label, name, med, _, _ in rows:
        by_label.setdefault(label, {})[name] = med
    if "zizmor" in tools:
        print()
        for label, meds in by_label.items():
            print(f"- {label}: shiplint is {meds['zizmor'] / meds['shiplint']:.1f}× faster than zizmor")


if __name__ == "__main__":
    main()
