# Helpers about `uses:` references: which action a step or job calls.
package shiplint.lib.actions

import rego.v1

# The lower-cased `owner/repo[/path]` a remote reference names.
name(u) := lower(concat("/", [u.owner, u.repo])) if {
	u.path == ""
}

name(u) := lower(concat("/", [u.owner, u.repo, u.path])) if {
	u.path != ""
}

remote(u) if {
	u.ref_kind != "local"
	u.ref_kind != "docker"
}

# The lower-cased `owner/repo` of a remote reference (without a sub-path).
repo_name(u) := lower(concat("/", [u.owner, u.repo]))

# True when `step` uses the action `action` (`owner/repo`, or `owner/repo/path`), at any
# ref; `owner/repo` also matches its sub-actions (`snyk/actions` ~ `snyk/actions/node`).
uses(step, action) if {
	remote(step.uses)
	name(step.uses) == lower(action)
}

uses(step, action) if {
	remote(step.uses)
	step.uses.path != ""
	repo_name(step.uses) == lower(action)
}

# True when a step uses any of the actions in the set `names` (lower case): set lookups,
# not a loop, because this runs for every step of the repository.
uses_any(step, names) if {
	remote(step.uses)
	name(step.uses) in names
}

uses_any(step, names) if {
	remote(step.uses)
	step.uses.path != ""
	repo_name(step.uses) in names
}
