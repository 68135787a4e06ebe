#!/usr/bin/env python3
"""Recall and precision of shiplint's workflow rules against hand labels.

Usage:
  scripts/recall.py [--labels DIR] [--corpus DIR] [--bin PATH] [--show missed,unjudged,fp]
                    [--mark-missed]   (known misses follow the rules: see --help)

Defaults: labels bench/labels/corpus, corpus ../shared/corpus/workflows, the release
binary. Each `<dir>.tsv` of the labels folder labels the repository `<corpus>/<dir>`
(format: bench/labels/README.md). The same script measures a labelled set kept outside
the project (fetched repositories) with --labels and --corpus.

A finding matches a label when rule and file are equal and the label's line lies in the
finding's primary span. Per rule it prints: labelled violations, found, missed, findings
that point at a labelled violation (true), at a labelled false positive (false), at
nothing labelled (unjudged: read them and label them), recall and precision
(true / (true + false + unjudged), so an unjudged finding counts against precision until
a person has judged it).
"""

import argparse
import collections
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

FAMILIES = {
    "cross-workflow (image flow)": [
        "image-rebuilt", "image-tag-not-sha", "promotion-rebuilds", "deploy-not-gated",
        "build-not-gated-by-tests",
    ],
    "deploy": ["deploy-mutable-tag", "helm-not-atomic", "prod-deploy-without-environment"],
    "scanning": ["scan-continue-on-error", "scan-never-fails", "scan-severity-too-narrow"],
    "credentials": ["static-cloud-credentials", "oidc-missing-id-token"],
    "history": ["force-push-in-workflow"],
}
LABELLED = {r for rules in FAMILIES.values() for r in rules}


def read_labels(folder):
    labels = []
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".tsv"):
            continue
        repo = name[:-4]
        with open(os.path.join(folder, name), encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                line = line.rstrip("\n")
                if not line.strip() or line.startswith("#") or line.startswith("rule\t"):
                    continue
                cols = line.split("\t")
                if len(cols) < 4 or cols[3] not in ("violation", "missed", "false-positive"):
                    sys.exit(f"{name}:{n}: want rule, file, line, violation|missed|false-positive")
                labels.append({
                    "repo": repo, "rule": cols[0], "file": cols[1], "line": int(cols[2]),
                    "violation": cols[3] in ("violation", "missed"),
                    "known_miss": cols[3] == "missed",
                    "note": cols[4] if len(cols) > 4 else "", "at": f"{name}:{n}",
                })
    return labels


def audit(binary, corpus, repos):
    paths = [os.path.join(corpus, r) for r in repos]
    out = subprocess.run(
        [binary, "audit", "--offline", "--format", "json", *paths],
        capture_output=True, text=True, check=False,
    )
    if out.returncode > 2:
        sys.exit(f"shiplint exited {out.returncode}: {out.stderr}")
    report = json.loads(out.stdout)
    broken = [e for e in report["errors"] if e.get("kind") == "policy"]
    if broken:
        sys.exit("policy errors (the figures would be wrong):\n" + "\n".join(f"  {e['file']}: {e['message']}" for e in broken))
    for f in report["findings"]:
        f["repo"] = os.path.basename(f["repository"].rstrip("/"))
    return report


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--labels", default=os.path.join(ROOT, "bench/labels/corpus"))
    ap.add_argument("--corpus", default=os.path.join(ROOT, "../shared/corpus/workflows"))
    ap.add_argument("--bin", default=os.path.join(ROOT, "target/release/shiplint"))
    ap.add_argument("--show", default="", help="comma list of: missed, unjudged, fp")
    ap.add_argument("--mark-missed", action="store_true",
                    help="rewrite missed `violation` labels as `missed` (known misses), and found `missed` labels back as `violation`")
    args = ap.parse_args()

    labels = read_labels(args.labels)
    repos = sorted({os.path.splitext(n)[0] for n in os.listdir(args.labels) if n.endswith(".tsv")})
    report = audit(args.bin, args.corpus, repos)
    findings = [f for f in report["findings"] if f["rule"] in LABELLED and f.get("file")]

    def hits(label, f):
        return (f["repo"], f["rule"], f["file"]) == (label["repo"], label["rule"], label["file"]) \
            and f["line"] <= label["line"] <= f["end_line"]

    by_key = collections.defaultdict(list)
    for f in findings:
        by_key[(f["repo"], f["rule"], f["file"])].append(f)

    stats = collections.defaultdict(collections.Counter)
    missed, false_back, promoted = [], [], []
    judged = set()
    for lab in labels:
        near = by_key.get((lab["repo"], lab["rule"], lab["file"]), [])
        matched = [f for f in near if hits(lab, f)]
        for f in matched:
            judged.add(id(f))
            f["_true" if lab["violation"] else "_false"] = True
        if lab["violation"]:
            stats[lab["rule"]]["labelled"] += 1
            stats[lab["rule"]]["found" if matched else "missed"] += 1
            if not matched:
                missed.append((lab, near))
            elif lab["known_miss"]:
                promoted.append(lab)
        elif matched:
            false_back.append((lab, matched))
    unjudged = []
    for f in findings:
        s = stats[f["rule"]]
        if f.get("_true"):
            s["true"] += 1
        elif f.get("_false"):
            s["false"] += 1
        else:
            s["unjudged"] += 1
            unjudged.append(f)

    def row(name, c):
        rec = c["found"] / c["labelled"] if c["labelled"] else None
        flagged = c["true"] + c["false"] + c["unjudged"]
        prec = c["true"] / flagged if flagged else None
        pct = lambda x: "   –  " if x is None else f"{100 * x:5.1f}%"
        return (f"{name:34} {c['labelled']:5} {c['found']:5} {c['missed']:6} {c['true']:5} "
                f"{c['false']:5} {c['unjudged']:8}  {pct(rec)}  {pct(prec)}")

    print(f"{len(repos)} repositories, {len(labels)} labels, {len(findings)} findings of labelled rules")
    print(f"{'rule':34} {'label':>5} {'found':>5} {'missed':>6} {'true':>5} {'false':>5} {'unjudged':>8}  recall  precision")
    for fam, rules in FAMILIES.items():
        total = collections.Counter()
        for r in rules:
            total.update(stats[r])
            print(row("  " + r, stats[r]))
        print(row(fam, total))
    everything = collections.Counter()
    for r in LABELLED:
        everything.update(stats[r])
    print(row("all labelled rules", everything))

    if args.mark_missed:
        mark = {(l["repo"], l["at"]) for l, _ in missed if not l["known_miss"]}
        found = {(l["repo"], l["at"]) for l in promoted}
        for name in sorted({l["repo"] for l, _ in missed} | {l["repo"] for l in promoted}):
            path = os.path.join(args.labels, name + ".tsv")
            with open(path, encoding="utf-8") as fh:
                lines = fh.read().split("\n")
            for i, line in enumerate(lines):
                if (name, f"{name}.tsv:{i + 1}") in mark:
                    lines[i] = line.replace("\tviolation\t", "\tmissed\t", 1)
                elif (name, f"{name}.tsv:{i + 1}") in found:
                    lines[i] = line.replace("\tmissed\t", "\tviolation\t", 1)
            with open(path, "w", encoding="utf-8") as fh:
                fh.write("\n".join(lines))

    show = set(filter(None, args.show.split(",")))
    if "missed" in show:
        print("\n== missed")
        for lab, near in missed:
            others = ", ".join(f"{f['line']}" for f in near) or "none"
            print(f"{lab['rule']:28} {lab['repo']}/{lab['file']}:{lab['line']}  (findings of it in file at: {others})  {lab['note']}")
    if "fp" in show:
        print("\n== labelled false positives that came back")
        for lab, matched in false_back:
            print(f"{lab['rule']:28} {lab['repo']}/{lab['file']}:{lab['line']}  {lab['note']}")
    if "unjudged" in show:
        print("\n== findings not labelled (judge them)")
        for f in unjudged:
            print(f"{f['rule']:28} {f['repo']}/{f['file']}:{f['line']}  {f['message']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
