package shiplint.rules.unpinned_action

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

allowed(u, globs) if {
	some pattern in globs
	glob.match(pattern, ["/"], lower(concat("/", [u.owner, u.repo])))
}

moving_branches := {"main", "master", "head"}

# (Functions take the rule's values as arguments: a reference to a rule from inside a
# function costs a lookup on every call.)
unpinned(u, globs) if {
	u.ref_kind in {"tag", "branch"}
	not allowed(u, globs)
}

unpinned(u, _) if {
	u.ref_kind == "docker"
	not startswith(u["ref"], "sha256:")
}

# (`else` chains: regorus stops at the first definition that holds instead of evaluating
# every definition of the function, once per finding.)
describe(u) := sprintf("`%s` is pinned to tag `%s`, which can be moved to other code", [u.raw, u["ref"]]) if {
	u.ref_kind == "tag"
} else := sprintf("`%s` is a container tag, not a digest", [u.raw]) if {
	u.ref_kind == "docker"
} else := sprintf("`%s` names no ref at all", [u.raw]) if {
	u["ref"] == ""
} else := sprintf("`%s` follows branch `%s`: every push to it changes the code you run", [u.raw, u["ref"]])

severity(u, moving) := "error" if lower(u["ref"]) in moving
else := "warning"

# (`ref_kind` is tested inline before the function: most references are pinned or local,
# and a function call per step costs more than the test.)
findings contains f if {
	globs := allow
	moving := moving_branches
	some s in steps.all_steps
	u := s.step.uses
	u.ref_kind in {"tag", "branch", "docker"}
	unpinned(u, globs)
	f := {
		"message": describe(u),
		"severity": severity(u, moving),
		"file": s.file,
		"path": array.concat(s.step.path, ["uses"]),
	}
}

findings contains f if {
	globs := allow
	moving := moving_branches
	some wf in input.workflows
	some job in wf.jobs
	u := job.uses
	u.ref_kind in {"tag", "branch", "docker"}
	unpinned(u, globs)
	f := {
		"message": describe(u),
		"severity": severity(u, moving),
		"file": wf.path,
		"path": array.concat(job.path, ["uses"]),
	}
}
