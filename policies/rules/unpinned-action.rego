package shiplint.rules.unpinned_action

import data.shiplint.lib.actions
import data.shiplint.lib.steps
import rego.v1

metadata := {
	"id": "unpinned-action",
	"title": "Action not pinned to a commit SHA",
	"severity": "warning",
	"description": "A third-party action, reusable workflow or container is referenced by a tag or branch, which its owner (or whoever compromises it) can move to different code at any time.",
	"remediation": "Pin to the full 40-character commit SHA and keep the version in a comment (`uses: owner/repo@<sha> # v4.2.2`); Dependabot and Renovate update such pins. Containers: pin `docker://image@sha256:<digest>`.",
	"tags": ["security", "supply-chain"],
	"online": false,
}

# `rules.unpinned-action.params.allow`: globs of `owner/repo` allowed to use tags.
allow := object.get(object.get(input.config, "unpinned-action", {}), "allow", [])

allowed(u) if {
	some pattern in allow
	glob.match(pattern, ["/"], lower(concat("/", [u.owner, u.repo])))
}

moving_branches := {"main", "master", "head"}

unpinned(u) if {
	actions.remote(u)
	u.ref_kind != "sha"
	not allowed(u)
}

unpinned(u) if {
	u.ref_kind == "docker"
	not startswith(u["ref"], "sha256:")
}

describe(u) := sprintf("`%s` is pinned to tag `%s`, which can be moved to other code", [u.raw, u["ref"]]) if {
	u.ref_kind == "tag"
}

describe(u) := sprintf("`%s` follows branch `%s`: every push to it changes the code you run", [u.raw, u["ref"]]) if {
	u.ref_kind == "branch"
	u["ref"] != ""
}

describe(u) := sprintf("`%s` names no ref at all", [u.raw]) if {
	u.ref_kind == "branch"
	u["ref"] == ""
}

describe(u) := sprintf("`%s` is a container tag, not a digest", [u.raw]) if {
	u.ref_kind == "docker"
}

severity(u) := "error" if lower(u["ref"]) in moving_branches

severity(u) := "warning" if not lower(u["ref"]) in moving_branches

findings contains f if {
	some s in steps.all_steps
	u := s.step.uses
	unpinned(u)
	f := {
		"message": describe(u),
		"severity": severity(u),
		"file": s.file,
		"path": array.concat(s.step.path, ["uses"]),
	}
}

findings contains f if {
	some wf in input.workflows
	some job in wf.jobs
	u := job.uses
	unpinned(u)
	f := {
		"message": describe(u),
		"severity": severity(u),
		"file": wf.path,
		"path": array.concat(job.path, ["uses"]),
	}
}
