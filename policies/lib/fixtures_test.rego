# Builders of small input documents for the rules' Rego unit tests.
package shiplint.lib.fixtures_test

import rego.v1

# A context of a job: the events that reach it, bound inputs, upstream jobs.
ctx(triggers, inputs, upstream) := {"via": [], "triggers": triggers, "inputs": inputs, "upstream": upstream}

# A job with one context and no steps of its own in `workflows` (steps go to `entries`).
job(id, extra) := object.union({
	"id": id, "path": ["jobs", id], "env": {}, "needs": [], "needs_all": [], "steps": [],
	"contexts": [ctx(["push"], {}, [])], "triggers": ["push"],
}, extra)

# A step of job `job_id` in workflow `file`, as `input.pipeline.steps` holds it.
# `action` is the lower-cased `owner/repo` of a remote action, or "".
entry(file, job_id, index, action, w, run) := {
	"file": file, "workflow": file, "job_id": job_id, "ci": 0,
	"path": ["jobs", job_id, "steps", index],
	"step": {"index": index, "action": action, "action_repo": action, "with": w, "run": run, "env": {}, "continue_on_error": false},
	"run": run, "with": w, "env": {},
	"commands": [{"line": i, "last_line": i, "text": trim_space(l), "tools": [split(trim_space(l), " ")[0]]} | some i, l in split(run, "\n"); trim_space(l) != ""],
}

# A repository: workflows `{path: [jobs]}` and step entries.
repo(workflows, entries) := {
	"workflows": [{"path": p, "env": {}, "triggers": {}, "jobs": jobs} | some p, jobs in workflows],
	"actions": [], "config": {},
	"pipeline": {"steps": entries, "index": index(entries)},
}

# `input.pipeline.index` as Rust builds it: entry positions by program and by action.
index(entries) := {
	"tools": {t: sort({i | some i, x in entries; some y in x.commands; t in y.tools}) |
		some e in entries
		some c in e.commands
		some t in c.tools
	},
	"actions": {a: sort({i | some i, x in entries; a in {x.step.action, x.step.action_repo}}) |
		some e in entries
		some a in {e.step.action, e.step.action_repo}
		a != ""
	},
	"action_files": {e.file: sort({i | some i, x in entries; x.file == e.file}) | some e in entries; e.file != e.workflow},
	"inputs": {k: sort({i | some i, x in entries; x.step.action_repo != ""; x["with"][k]}) |
		some e in entries
		e.step.action_repo != ""
		some k, _ in e["with"]
	},
	"env": {k: sort({i | some i, x in entries; x.step.env[k]}) |
		some e in entries
		some k, _ in e.step.env
	},
}

# One workflow with one job `j` whose steps are given as (action, with, run) triples.
single(steps) := repo({".github/workflows/ci.yml": [job("j", {})]}, [entry(".github/workflows/ci.yml", "j", i, s[0], s[1], s[2]) | some i, s in steps])
