package shiplint.rules.force_push_in_workflow

import data.shiplint.lib.pipeline
import data.shiplint.lib.steps
import rego.v1

metadata := {
	"id": "force-push-in-workflow",
	"title": "Workflow force-pushes to git",
	"severity": "error",
	"description": "A run step force-pushes (`git push --force`, `-f`, `--force-with-lease`, a `+refspec`), or a push action is configured with `force: true`. Rewriting a branch's history breaks the commit-SHA traceability that image promotion relies on.",
	"remediation": "Push fast-forward only: rebase or merge before pushing, or open a pull request. Keep branch protection's \"no force pushes\" on for release branches, and give the workflow's token no bypass.",
	"tags": ["security", "git", "traceability"],
	"online": false,
}

# `git push` with a force flag or a `+src:dst` refspec, in one command.
force_push := `(^|[\s;&|(])(\$\{)?git\}?\s+((-[cC]\s+\S+|--(git-dir|work-tree|namespace)\s+\S+|--[a-z-]+=\S+)\s+)*push\b[^;&|]*?(\s(--force(-with-lease(=\S+)?)?|--force-if-includes|-[a-zA-Z]*f[a-zA-Z]*)(\s|$)|\s\+\S)`

# Script steps in context, and the steps of composite actions that no local workflow runs
# (called from other repositories only).
git_scripts := [[e, c] | some [e, c] in pipeline.with_tools({"git"})]

uncalled_action_scripts := [[{"file": a.path, "path": step.path, "step": step}, line] |
	some a in steps.uncalled_actions
	some step in a.steps
	contains(step.run, "push")
	some line in split(step.run, "\n")
]

findings contains f if {
	some [e, line] in uncalled_action_scripts
	regex.match(force_push, line)
	f := {
		"message": "`git push` rewrites history on the remote (force push); commits that images were built and tagged from can disappear",
		"file": e.file,
		"path": array.concat(e.path, ["run"]),
		"match": trim_space(line),
	}
}

findings contains f if {
	some [e, c] in git_scripts
	contains(c.text, "push")
	regex.match(force_push, c.text)
	f := {
		"message": "`git push` rewrites history on the remote (force push); commits that images were built and tagged from can disappear",
		"file": e.file,
		"path": array.concat(e.path, ["run"]),
		"match": pipeline.raw_line(e, c),
	}
}

push_actions := {"ad-m/github-push-action", "stefanzweifel/git-auto-commit-action"}

# Forks of the push actions take the same inputs.
push_entries := array.concat(pipeline.using(push_actions), [e |
	some i in object.get(input.pipeline.index.inputs, "force", [])
	e := input.pipeline.steps[i]
	endswith(e.step.action_repo, "push-action")
	not e.step.action_repo in push_actions
])

findings contains f if {
	some e in push_entries
	some key in ["force", "force_with_lease"]
	lower(object.get(e.with, key, "false")) == "true"
	f := {
		"message": sprintf("`%s: true` force-pushes, rewriting history on the remote", [key]),
		"file": e.file,
		"path": array.concat(e.path, ["with", key]),
	}
}

findings contains f if {
	some e in push_entries
	regex.match(`(^|\s)(--force|-f|--force-with-lease)(\s|$)`, object.get(e.with, "push_options", ""))
	f := {
		"message": "`push_options` force-pushes, rewriting history on the remote",
		"file": e.file,
		"path": array.concat(e.path, ["with", "push_options"]),
	}
}

# Any action whose input says it force-pushes (`allow_force_push: 'true'` of
# action-pull-request-another-repo, `force_push`, `force-push`): found by the input's name
# through the pipeline index, whatever the action is called.
force_push_inputs := {"force_push", "force-push", "allow_force_push", "allow-force-push", "forcepush", "force_push_branch"}

findings contains f if {
	some key in force_push_inputs
	some i in object.get(input.pipeline.index.inputs, key, [])
	e := input.pipeline.steps[i]
	lower(trim_space(object.get(e.with, key, "false"))) == "true"
	f := {
		"message": sprintf("`%s: true` force-pushes, rewriting history on the remote", [key]),
		"file": e.file,
		"path": array.concat(e.path, ["with", key]),
	}
}
