# The pipeline as policies see it: every step of every job in every call context
# (`docs/input.md`, "Pipeline model"), classified as image builds, promotions, deploys and
# scans, with image references normalised and tags classified. Everything here is a set or
# an object computed once per evaluation; rules look things up in it.
package shiplint.lib.pipeline

import data.shiplint.lib.steps
import rego.v1

# ---------------------------------------------------------------------------------------
# Jobs and steps in context

# job_at[workflow path][job id] = the job.
job_at := {wf.path: {job.id: job | some job in wf.jobs} | some wf in input.workflows}

workflow_at := {wf.path: wf | some wf in input.workflows}

# Steps in context are `input.pipeline.steps` (built in Rust): one entry per (workflow,
# job, context, step), composite-action steps included: {file, workflow, job_id, ci, path,
# step (as written), run/with/commands (as seen in that context)}.
#
# Classification visits only the entries that can match: `input.pipeline.index` lists the
# entry positions by program (`tools`) and by action (`actions`). An interpreter pays per
# loop iteration, and most steps of a repository neither build, push, deploy nor scan.

# The entries whose commands run one of `tools`, as [entry, command] pairs for the
# commands that do.
with_tools(tools) := [[e, c] |
	some t in tools
	some i in object.get(input.pipeline.index.tools, t, [])
	e := input.pipeline.steps[i]
	some c in e.commands
	t in c.tools
]

# The [entry, command] pairs whose command matches `pattern` (a pattern of the form
# `(^|[\s;&|(])(...)`), found with one regex call for all of them. A `regex.match` call
# costs tens of microseconds in regorus (it starts a fresh matcher each time), much more
# than the matching: the commands are matched together, one per line as `<position>:
# <command>`, and the space after the colon stands for the start of the command.
matching(pairs, pattern) := [] if {
	# (No candidates, no regex call: even on empty text one costs a fresh matcher.)
	count(pairs) == 0
} else := [pairs[to_number(split(m, ":")[0])] |
	lines := [concat("", [format_int(k, 10), ": ", replace(c.text, "\n", " ")]) | some k, [_, c] in pairs]
	some m in regex.find_n(concat("", [`(?m)^\d+:.*?`, pattern]), concat("\n", lines), -1)
]

# The command patterns of the classification below, by name: the programs whose commands
# are candidates, and the pattern (of the form `(^|[\s;&|(])(...)`) they must match.
# shiplint matches these before evaluation, in Rust, into `input.pipeline.matches`; edit
# the patterns here (docs/input.md, "Command patterns").
command_patterns := {
	"build": {"tools": build_tools, "pattern": build_command},
	"deploy": {"tools": steps.deploy_tools, "pattern": steps.deploy_command},
	"scan": {"tools": steps.scan_tools, "pattern": steps.scanner_command},
	"test": {"tools": test_tools, "pattern": test_command},
	"more_test": {"tools": more_test_tools, "pattern": more_test_command},
	"retag": {"tools": retag_tools, "pattern": retag_command},
	"ssh_deploy": {"tools": {"ssh"}, "pattern": steps.ssh_deploy_command},
	"iac_apply": {"tools": iac_tools, "pattern": iac_apply},
	"make_image": {"tools": {"make"}, "pattern": make_image_target},
}

# The [entry, command] pairs of a command pattern: `matching(with_tools(tools), pattern)`,
# as matched before evaluation when `input.pipeline.matches` is there (shiplint's own
# input), else here (an input written by hand, as in the policies' unit tests).
matched(name) := [[input.pipeline.steps[i], input.pipeline.steps[i].commands[k]] | some [i, k] in input.pipeline.matches[name]] if {
	input.pipeline.matches
} else := matching(with_tools(command_patterns[name].tools), command_patterns[name].pattern)

# The entries that use one of `actions` (`owner/repo` or `owner/repo/path`).
using(actions) := [input.pipeline.steps[i] |
	some a in actions
	some i in object.get(input.pipeline.index.actions, a, [])
]

# The workflow steps among `entries`, as written and in the shape of `steps.all_steps`
# (`{file, job_id, job_path, step}`), once each whatever the number of contexts. Steps of
# composite actions are not among them: rules about steps as written visit
# `steps.action_steps` too (few, and an action may be called from other repositories only).
written(entries) := {{"file": e.file, "job_id": e.job_id, "job_path": job.path, "step": job.steps[e.step.index]} |
	some e in entries
	e.file == e.workflow
	job := job_at[e.workflow][e.job_id]
}

# The events reaching an entry's job in its context.
triggers(e) := job_at[e.workflow][e.job_id].contexts[e.ci].triggers

context(e) := job_at[e.workflow][e.job_id].contexts[e.ci]

# Events after which what a job produces is released (everything except pull requests).
pr_events := {"pull_request", "pull_request_target", "merge_group"}

releasing(e) if {
	some t in triggers(e)
	not t in pr_events
	not pr_only_run(job_at[e.workflow][e.job_id], context(e))
}

# A context started by `workflow_run` that runs the job only after runs for pull requests
# (`if: github.event.workflow_run.event == 'pull_request'` on the job or a caller, without
# `||`): it builds and deploys pull request code, as a `pull_request` event would.
pr_only_run(job, ctx) if {
	"workflow_run" in ctx.triggers
	every t in ctx.triggers {
		t in pr_events | {"workflow_run"}
	}
	some cond in array.concat([object.get(job, "if", "")], [object.get(job_at[v.workflow][v.job], "if", "") | some v in ctx.via])
	contains(cond, "workflow_run.event")
	not contains(cond, "||")
	regex.match(`workflow_run\.event\s*==\s*['"]pull_request['"]`, cond)
}

# The raw script line a command starts on (for `match`).
raw_line(e, c) := trim_space(split(e.step.run, "\n")[c.line])

# The raw line of a command (continuation lines included) that contains `needle`, or the
# line it starts on: a finding points at the offending argument's line.
raw_line_with(e, c, needle) := l if {
	lines := split(e.step.run, "\n")
	found := [trim_space(lines[i]) | some i in numbers.range(c.line, object.get(c, "last_line", c.line)); contains(lines[i], needle)]
	count(found) > 0
	l := found[0]
} else := raw_line(e, c)

# The index of the script line that `raw_line_with(e, c, needle)` picks.
line_with(e, c, needle) := i if {
	lines := split(e.step.run, "\n")
	found := [k | some k in numbers.range(c.line, object.get(c, "last_line", c.line)); contains(lines[k], needle)]
	count(found) > 0
	i := found[0]
} else := c.line

# Which occurrence of `m` (a trimmed line of the script, as `raw_line` gives it) line `i`
# holds, for a finding's `occurrence`: the same text may stand on an earlier line too (two
# `helm upgrade \` lines in an if/else), and a finding with `match` alone points at the
# first.
occurrence(e, i, m) := count(indexof_n(concat("", [concat("\n", array.slice(split(e.step.run, "\n"), 0, i)), "\n"]), m))

# ---------------------------------------------------------------------------------------
# Images and tags

# `registry/repo:tag` → `registry/repo` (lower case, quotes dropped, any ECR login
# output counted as one registry).
image_name(ref) := name if {
	r0 := regex.replace(trim(ref, "\"' "), `\$\{\{\s*steps\.[A-Za-z0-9_-]+\.outputs\.registry\s*\}\}`, "<registry>")
	r := shell_params(r0)
	no_digest := split(r, "@")[0]
	name := lower(strip_tag(no_digest))
}

# Shell parameter expansions (`${GITHUB_REF#refs/tags/}`) may contain `/` and `:`; they
# are unknown values: `$V`.
shell_params(r) := regex.replace(r, `\$\{[^{}]*\}`, "$$V")

# (`else` chains here and below: regorus evaluates every definition of a function on
# each call, and these run once per image reference.)
strip_tag(r) := substring(r, 0, (count(r) - count(seg)) + indexof(seg, ":")) if {
	seg := last_segment(r)
	contains(seg, ":")
} else := r

last_segment(r) := parts[count(parts) - 1] if parts := split(r, "/")

# The tag of a reference (`latest` when none is given).
# No tag: `latest`, when the whole reference is written out (no variable or expression
# that may carry a tag).
image_tag(ref) := tag if {
	r := split(shell_params(trim(ref, "\"' ")), "@")[0]
	seg := last_segment(r)
	contains(seg, ":")
	tag := substring(seg, indexof(seg, ":") + 1, -1)
} else := "latest" if {
	r := split(trim(ref, "\"' "), "@")[0]
	not contains(last_segment(r), ":")
	not contains(ref, "@")
	not contains(ref, "$")
}

# An image name is known when nothing in it is left to run time but expressions that
# name the same registry in every workflow (secrets, vars, registry outputs).
known_image(name) if {
	name != ""
	not contains(name, "matrix.")
	not run_time_part(name)
}

# A shell variable, or an input or step output (other than a login's registry): the
# name is known only at run time. (Substring tests first: most names have no `$`.)
run_time_part(name) if {
	contains(name, "$")
	regex.match(`\$[A-Za-z_{(]`, regex.replace(name, `\$\{\{[^}]*\}\}`, ""))
}

run_time_part(name) if {
	contains(name, "${{")
	regex.match(`\$\{\{[^}]*(inputs\.|steps\.[a-z0-9_-]+\.outputs\.)`, regex.replace(name, `\$\{\{\s*steps\.[a-z0-9_-]+\.outputs\.registry\s*\}\}`, ""))
}

sha_pattern := `github\.sha|head\.sha|github\.event\.after|github\.event\.workflow_run\.head_sha|GITHUB_SHA|git\s+rev-parse|rev-parse|sha256:|type=sha|\bsha-|commit_sha|\.sha\b`

mutable_expr := `github\.ref_name|github\.head_ref|github\.base_ref|GITHUB_REF_NAME|GITHUB_HEAD_REF|github\.run_number|github\.run_id|GITHUB_RUN_NUMBER|GITHUB_RUN_ID|github\.run_attempt`

# `sha`, `mutable` (proven to name different images over time) or `unknown`.
tag_kind(tag) := "sha" if {
	regex.match(sha_pattern, tag)
} else := "mutable" if {
	literal_tag(tag)
} else := "unknown" if {
	# `inputs.version || github.ref_name`: which side applies is known at run time only.
	some op in ["||", "&&"]
	contains(tag, op)
	regex.match(`\$\{\{[^}]*(\|\||&&)`, tag)
} else := "mutable" if {
	regex.match(mutable_expr, tag)
} else := "unknown"

# A tag written out in the file (no variable, no expression): the same for every commit.
literal_tag(tag) if {
	tag != ""
	not contains(tag, "$")
	not contains(tag, "`")
	not contains(tag, "{{")
	regex.match(`^[A-Za-z0-9_][A-Za-z0-9_.-]*$`, tag)
}

# ---------------------------------------------------------------------------------------
# Builds

# Builders that take `tags:` (full references) and `push:` the way docker/build-push-action
# does: its forks and wrappers. Any other action with both a `push` and a `tags` input is
# treated the same way (found through `input.pipeline.index.inputs`).
build_actions := {
	"docker/build-push-action",
	"depot/build-push-action",
	"int128/kaniko-action",
	"aevea/action-kaniko",
	"docker/bake-action",
	"redhat-actions/buildah-build",
}

# Image builds in shell scripts. Fly and Kamal deploys build and push the image themselves
# (unless given `--image`/`--skip-push`); Spring Boot's `bootBuildImage` builds locally;
# `gcloud builds submit --tag`, `az acr build` and `gcloud run deploy --source` (Cloud
# Build) build in the cloud and push; `skaffold run|build` builds and pushes (unless
# `--push=false`) the images of `skaffold.yaml`; `dotnet publish` with the SDK's container
# support (`-t:PublishContainer`, `-p:PublishProfile=DefaultContainer`, `ContainerRepository`
# / `ContainerRegistry` properties) builds an image, pushed when a `ContainerRegistry` is
# given (else loaded into the local daemon).
build_command := `(^|[\s;&|(/])(docker\s+(image\s+)?build\b|docker\s+buildx\s+(build|bake)\b|buildx\s+build\b|podman\s+build\b|buildah\s+(bud|build)\b|nerdctl\s+build\b|/kaniko/executor\b|kaniko\b.*--destination|ko\s+(build|publish|resolve|apply)\b|pack\s+build\b|jib(:build|:dockerBuild|\s)|jibDockerBuild|(docker\s+compose|docker-compose)\s+build\b|gcloud\s+builds\s+submit\b|az\s+acr\s+build\b|fly(ctl)?\s+deploy\b|kamal\s+(deploy|redeploy|build)\b|bootBuildImage\b|spring-boot:build-image\b|skaffold\s+(run|build)\b|gcloud\s+(beta\s+|alpha\s+)?run\s+(deploy|jobs\s+deploy)\b[^;&|\n]*\s--source\b|dotnet\s+publish\b[^;&|\n]*(PublishContainer|DefaultContainer|ContainerRepository|ContainerRegistry))`

# Builders that name the image apart from its tags: `image`/`name`/`repository` (+
# `registry`) and a list of tags, and push unless told not to.
named_build_actions := {
	"mr-smithers-excellent/docker-build-push": "image",
	"elgohr/publish-docker-github-action": "name",
	"whoan/docker-build-with-cache-action": "image_name",
	"macbre/push-to-ghcr": "image_name",
	"kciter/aws-ecr-action": "repo",
	"rafikfarhad/push-to-gcr-github-action": "image_name",
	# (A composite action of a shared-actions repository, named by its path: it builds,
	# loads and pushes `docker image push --all-tags` on every run.)
	"dfe-digital/github-actions/build-docker-image": "docker-repository",
}

# Steps that build with a `push`/`tags` pair of inputs, by name or by their inputs.
tagged_build_entries := {e |
	some e in using(build_actions)
} | {input.pipeline.steps[i] |
	tagged := {j | some j in object.get(input.pipeline.index.inputs, "tags", [])}
	some i in object.get(input.pipeline.index.inputs, "push", [])
	i in tagged
	not input.pipeline.steps[i].step.action_repo in non_builders
}

# Actions with `push` and `tags` inputs that do not build (they retag or copy).
non_builders := {"akhilerm/tag-push-action", "shrink/actions-docker-registry-tag", "docker/metadata-action"}

# Build steps: {entry, image, tags (refs), pushed, at (finding location)}.
builds contains b if {
	some e in tagged_build_entries
	# (Pushed by digest, per platform: no tag is pushed here; a later job joins the digests
	# under the real tags.)
	refs := [trim_space(t) | some t in regex.split(`[\n,]`, object.get(e.with, "tags", "")); trim_space(t) != ""; not by_digest(e.with)]
	itself := count([1 | action_pushes(e.with)]) > 0
	b := {
		"entry": e, "refs": refs_pushed(e, refs, itself), "pushed": pushed(e, refs, itself),
		"meta": object.get(e.with, "tags", ""),
		"at": array.concat(e.path, ["uses"]), "match": null,
	}
}

builds contains b if {
	some e in using(object.keys(named_build_actions))
	name := trim_space(object.get(e.with, named_build_actions[named_key(e.step)], ""))
	registry := trim_space(object.get(e.with, "registry", ""))
	full := concat("/", [x | some x in [registry, name]; x != ""])
	# (No `tags`: the action's own default, which differs between actions: unknown.)
	tags := [trim_space(t) | some t in regex.split(`[\n,]`, object.get(e.with, "tags", object.get(e.with, "tag", "${DEFAULT}"))); trim_space(t) != ""]
	b := {
		"entry": e, "refs": [concat(":", [full, t]) | some t in tags; name != ""],
		"pushed": lower(object.get(e.with, "push", "true")) != "false",
		"meta": object.get(e.with, "tags", ""),
		"at": array.concat(e.path, ["uses"]), "match": null,
	}
}

named_key(step) := step.action if named_build_actions[step.action]
else := step.action_repo

by_digest(w) if contains(object.get(w, "outputs", ""), "push-by-digest=true")

# `push: true`, or an expression (it pushes for some events, e.g. not for pull requests).
action_pushes(w) if lower(object.get(w, "push", "false")) == "true"

action_pushes(w) if contains(object.get(w, "push", ""), "${{")

action_pushes(w) if contains(object.get(w, "outputs", ""), "type=registry")

action_pushes(w) if contains(object.get(w, "outputs", ""), "push=true")

# Programs that build images (a cheap set test before the regex).
build_tools := {"docker", "podman", "buildah", "nerdctl", "executor", "kaniko", "ko", "pack", "mvn", "mvnw", "gradle", "gradlew", "docker-compose", "buildx", "gcloud", "az", "fly", "flyctl", "kamal", "skaffold", "dotnet"}

# (`refs` are the references the image is pushed under: those it is built with, and those
# a later `docker tag` in the job gives it; see `retags`.)
# Build commands, and compose and Fly builds with global flags before the subcommand
# (`docker compose -f prod.yml build`), matched apart on the few commands that have them.
build_matches := array.concat(matched("build"), [[e, c] |
	some [e, c] in with_tools({"docker", "docker-compose", "fly", "flyctl"})
	some w in ["compose -", "docker-compose -", "fly -", "flyctl -"]
	contains(c.text, w)
	regex.match(`(docker\s+compose|docker-compose)\s+-[^;&|\n]*\sbuild\b|fly(ctl)?\s+-[^;&|\n]*\sdeploy\b`, c.text)
])

builds contains b if {
	some [e, c] in build_matches
	not deploys_prebuilt(c.text)
	own := build_refs(c.text)
	refs := array.concat(own, [r | some r in retags_of(e, own)])
	itself := count([1 | self_pushing(c.text)]) > 0
	b := {
		"entry": e, "refs": refs_pushed(e, refs, itself), "pushed": pushed(e, refs, itself),
		"meta": "",
		"at": array.concat(e.path, ["run"]), "match": raw_line(e, c),
	}
}

# Actions that run a shell script given as an input on the runner (`azure/cli`
# `inlineScript`): the script's commands build as a `run:` script's would. (Only the
# self-pushing cloud builds are looked for: the script's other commands are not parsed.)
script_actions := {"azure/cli": "inlineScript"}

builds contains b if {
	some e in using(object.keys(script_actions))
	script := regex.replace(object.get(e.with, script_actions[e.step.action_repo], ""), `\\[ \t]*\n`, " ")
	some line in split(script, "\n")
	some word in ["acr", "builds"]
	contains(line, word)
	regex.match(`(^|[\s;&|(])(az\s+acr\s+build|gcloud\s+builds\s+submit)\b`, line)
	b := {
		"entry": e, "refs": build_refs(line), "pushed": true,
		"meta": "",
		"at": array.concat(e.path, ["with", script_actions[e.step.action_repo]]), "match": script_line(e),
	}
}

# The line of the script as written that names the image (or starts the build).
script_line(e) := l if {
	raw := [trim_space(x) | some x in split(object.get(written_with(e), script_actions[e.step.action_repo], ""), "\n")]
	found := [x | some x in raw; regex.match(`(^|\s)(--image|-t|--tag)[=\s]`, x)]
	l := found[0]
} else := l if {
	raw := [trim_space(x) | some x in split(object.get(written_with(e), script_actions[e.step.action_repo], ""), "\n")]
	found := [x | some x in raw; regex.match(`(az\s+acr\s+build|gcloud\s+builds\s+submit)\b`, x)]
	l := found[0]
} else := null

# A step's `with:` as written in its file (a workflow's or a local composite action's).
written_with(e) := object.get(job_at[e.workflow][e.job_id].steps[e.step.index], "with", {}) if {
	e.file == e.workflow
} else := object.get(a.steps[e.step.index], "with", {}) if {
	some a in input.actions
	a.path == e.file
} else := {}

# Make targets that build or push an image. The Makefile is not part of the pipeline, so a
# target counts by its name only: a word naming an image (`docker`, `image`, `container`,
# `oci`) together with a word naming the act (`build` builds; `push` / `publish` push), the
# words separated by `-`, `_`, `.` or `/` (`docker-build`, `build-image`, `image.push`,
# `build/docker`). `release` names an image only in a job that logs in to a container
# registry (`release-build`, `release-publish` of the Nava template); elsewhere a release
# build may be of binaries. Plain `make build` / `make release` are not image builds.
make_image_target := `(^|[\s;&|(/])make\s+(?:[^;&|\n]*\s)?([A-Za-z0-9_.-]*(?:(?:docker|image|images|container|oci|release)[-_./](?:[A-Za-z0-9_.-]*[-_./])?(?:build|push|publish)|(?:build|push|publish)[-_./](?:[A-Za-z0-9_.-]*[-_./])?(?:docker|image|images|container|oci|release))(?:[-_./][A-Za-z0-9_.-]*)?)(?:\s|$)`

# [entry, command, target words] of the make commands naming an image target.
make_image_commands := [[e, c, words] |
	some [e, c] in matched("make_image")
	some m in regex.find_all_string_submatch_n(make_image_target, c.text, -1)
	words := {w | some w in regex.split(`[-_./]`, lower(m[2]))}
	image_target(e, words)
]

image_target(_, words) if {
	some w in words
	w in {"docker", "image", "images", "container", "oci"}
}

image_target(e, words) if {
	"release" in words
	[e.workflow, e.job_id, e.ci] in registry_logins
}

# Job contexts that log in to a container registry.
registry_login_actions := {"docker/login-action", "aws-actions/amazon-ecr-login", "azure/docker-login", "redhat-actions/podman-login"}

registry_logins contains [e.workflow, e.job_id, e.ci] if {
	some e in using(registry_login_actions)
}

registry_logins contains [e.workflow, e.job_id, e.ci] if {
	some [e, c] in with_tools({"docker", "podman", "aws", "gcloud", "az", "crane"})
	some word in ["login", "configure-docker"]
	contains(c.text, word)
	regex.match(`(docker|podman|crane)\s+login\b|aws\s+ecr\s+get-login|gcloud\s+auth\s+configure-docker\b|az\s+acr\s+login\b`, c.text)
}

builds contains b if {
	some [e, c, words] in make_image_commands
	"build" in words
	itself := count([1 | some w in words; w in {"push", "publish"}]) > 0
	b := {
		"entry": e, "refs": [], "pushed": pushed(e, [], itself),
		"meta": "",
		"at": array.concat(e.path, ["run"]), "match": raw_line(e, c),
	}
}

# Deploy commands that build only sometimes. `fly deploy` builds unless `fly.toml` names
# an image, which the workflow does not show (with `--dockerfile` or build arguments it
# builds); `kamal deploy --skip-push` deploys an image pushed before.
# (A substring test first: a regex call costs far more, and most builds are not Fly's.)
deploys_prebuilt(text) if {
	contains(text, "fly")
	regex.match(`fly(ctl)?\s+([^;&|\n]*\s)?deploy\b`, text)
	not regex.match(`\s--(dockerfile|build-arg|build-target|build-only|remote-only|local-only)\b`, text)
}

deploys_prebuilt(text) if {
	contains(text, "fly")
	regex.match(`fly(ctl)?\s+([^;&|\n]*\s)?deploy\b`, text)
	regex.match(`\s(--image|-i)[=\s]`, text)
}

deploys_prebuilt(text) if {
	contains(text, "--skip-push")
	regex.match(`kamal\s+(deploy|redeploy)\b.*\s--skip-push\b`, text)
}

# `docker tag SRC DST` in a job context: [workflow, job, ci, name of SRC] → DST.
retags contains [e.workflow, e.job_id, e.ci, image_name(trim(m[2], "\"'")), trim(m[3], "\"'")] if {
	some [e, c] in with_tools({"docker", "podman", "buildah", "nerdctl"})
	contains(c.text, " tag ")
	some m in regex.find_all_string_submatch_n(concat("", [`(docker|podman|buildah|nerdctl)\s+(?:image\s+)?tag\s+`, ref_token, `\s+`, ref_token]), c.text, -1)
}

# The references a local build is retagged to in its job (one step of retagging).
retags_of(e, own) := {dst |
	names := {image_name(r) | some r in own}
	some [w, j, ci, src, dst] in retags
	w == e.workflow
	j == e.job_id
	ci == e.ci
	src in names
}

# The references a build is pushed under: its own when it pushes itself; else those that a
# later push in its job names; none (unknown) when the job pushes only references known at
# run time (`docker push $tag`); else its own (the push is not recognised).
refs_pushed(e, refs, true) := refs

refs_pushed(e, refs, false) := out if {
	out := [r | some r in refs; [e.workflow, e.job_id, e.ci, image_name(r)] in pushes]
	count(out) > 0
} else := [] if {
	[e.workflow, e.job_id, e.ci] in unknown_pushes
} else := [] if {
	handed_off(e)
} else := refs

# `-t X`, `--tag X`, `--tag=X`, `--destination X`, `-Djib.to.image=X`, `-Dimage=X`.
# An image reference token on a command line (expressions may contain spaces).
ref_token := `("[^"]+"|'[^']+'|(?:\$\{\{[^}]*\}\}|[^\s"'])+)`

build_refs(text) := [] if {
	# Fly and Kamal name the image in their own config (`-d` is Kamal's destination).
	some word in ["fly", "kamal"]
	contains(text, word)
	regex.match(`(fly(ctl)?|kamal)\s`, text)
} else := [trim(m[1], "\"'") | some m in regex.find_all_string_submatch_n(concat("", [`-D(?:jib\.to\.)?image=`, ref_token]), text, -1)] if {
	contains(text, "jib")
} else := [trim(m[1], "\"'") | some m in regex.find_all_string_submatch_n(concat("", [`pack\s+build\s+`, ref_token]), text, -1)] if {
	regex.match(`pack\s+build`, text)
} else := dotnet_refs(text) if {
	contains(text, "dotnet")
	regex.match(`dotnet\s+publish\b`, text)
} else := [] if {
	# Skaffold names the images in `skaffold.yaml`; a Cloud Run source deploy names none.
	regex.match(`skaffold\s+(run|build)\b|gcloud\s+(beta\s+|alpha\s+)?run\s+(jobs\s+)?deploy\b[^;&|\n]*\s--source\b`, text)
} else := [trim(m[2], "\"'") |
	some m in regex.find_all_string_submatch_n(concat("", [`(^|\s)(?:-t|--tag|--image|--destination|-d)[=\s]+`, ref_token]), text, -1)
	m[2] != ""
]

# `dotnet publish -p:ContainerRegistry=R -p:ContainerRepository=N -p:ContainerImageTag=T`
# (or `ContainerImageTags=A;B`): `R/N:T`; without a tag property the SDK's default (the
# project version or `latest`) is not known here.
dotnet_refs(text) := [concat(":", [full, t]) | some t in tags] if {
	repo := dotnet_property(text, "ContainerRepository")
	registry := dotnet_registry(text)
	full := concat("/", [x | some x in [registry, repo]; x != ""])
	tags := dotnet_tags(text)
} else := []

dotnet_registry(text) := dotnet_property(text, "ContainerRegistry") if {
	contains(text, "ContainerRegistry=")
} else := ""

dotnet_tags(text) := [t | some t in split(dotnet_property(text, "ContainerImageTags"), ";"); t != ""] if {
	contains(text, "ContainerImageTags")
} else := [dotnet_property(text, "ContainerImageTag")] if {
	contains(text, "ContainerImageTag=")
} else := ["${DEFAULT}"]

dotnet_property(text, name) := trim(m[1], "\"'") if {
	ms := regex.find_all_string_submatch_n(concat("", [`[-/]p(?:roperty)?:`, name, `=`, ref_token]), text, 1)
	m := ms[0]
}

# The command pushes what it builds itself.
self_pushing(text) if {
	regex.match(`--push(=true)?(\s|$|[;&|)])|--destination|ko\s+(build|publish|resolve|apply)|pack\s+build.*--publish|jib:build|\bjib\b(.*)?$|type=registry|--output[= ](\S*)push=true|gcloud\s+builds\s+submit|az\s+acr\s+build|kamal\s+(deploy|redeploy)`, text)
}

self_pushing(text) if {
	contains(text, "fly")
	regex.match(`fly(ctl)?\s+([^;&|\n]*\s)?deploy\b`, text)
	not contains(text, "--build-only")
}

self_pushing(text) if {
	contains(text, "skaffold")
	regex.match(`skaffold\s+(run|build)\b`, text)
	not regex.match(`--push[= ]false\b`, text)
}

self_pushing(text) if {
	contains(text, "--source")
	regex.match(`gcloud\s+(beta\s+|alpha\s+)?run\s+(deploy|jobs\s+deploy)\b`, text)
}

self_pushing(text) if {
	contains(text, "ContainerRegistry")
	regex.match(`dotnet\s+publish\b.*[-/]p(roperty)?:ContainerRegistry=\S`, text)
}

self_pushing(text) if {
	some word in ["--build-only", "kamal", "--publishImage"]
	contains(text, word)
	regex.match(`fly(ctl)?\s.*--build-only\b.*--push\b|kamal\s+build\s+(push|deliver)\b|--publishImage\b`, text)
}

pushed(_, _, true) := true

pushed(e, refs, false) := true if pushed_later(e, refs)
else := false

# A later step of the job pushes the build: `docker push` of one of its references, or of a
# reference known only at run time (`docker push $tag` after `docker tag`), or
# the builder's own push command (`docker compose push`, `kamal push`) after its build.
pushed_later(e, refs) if {
	some r in refs
	[e.workflow, e.job_id, e.ci, image_name(r)] in pushes
}

pushed_later(e, _) if [e.workflow, e.job_id, e.ci] in unknown_pushes

pushed_later(e, _) if [e.workflow, e.job_id, e.ci] in tool_pushes

# A build inside a composite action that its caller asks to push (`push: 'true'`), the
# push itself being assembled at run time (flags written to a file).
pushed_later(e, _) if lower(trim_space(sprintf("%v", [object.get(object.get(e, "action_inputs", {}), "push", false)]))) == "true"

# A build saved to a file (`docker save`) that a later job of the run loads and pushes
# (handed over as an artifact): pushed, under tags that the loading job chooses.
pushed_later(e, _) if handed_off(e)

handed_off(e) if {
	[e.workflow, e.job_id, e.ci] in image_saves
	some [w, j, ci] in loading_pushes
	{"workflow": e.workflow, "job": e.job_id} in job_at[w][j].contexts[ci].upstream
}

# The job contexts that load and push what a build saved.
handoff_pushers(e) := {[w, j, ci] |
	[e.workflow, e.job_id, e.ci] in image_saves
	some [w, j, ci] in loading_pushes
	{"workflow": e.workflow, "job": e.job_id} in job_at[w][j].contexts[ci].upstream
}

# The build's own job pushes (a reference, or with the builder's push command).
pushes_in_job(e) if job_pushes(e.workflow, e.job_id, e.ci)

pushes_in_job(e) if [e.workflow, e.job_id, e.ci] in tool_pushes

# Job contexts that save an image to a file.
image_saves contains [e.workflow, e.job_id, e.ci] if {
	some [e, c] in with_tools({"docker", "podman"})
	contains(c.text, "save")
	regex.match(`(docker|podman)\s+(image\s+)?save\b`, c.text)
}

# Job contexts that load an image from a file and push: [workflow, job, ci].
loading_pushes contains [w, j, ci] if {
	some [w, j, ci] in image_loads
	job_pushes(w, j, ci)
}

image_loads contains [e.workflow, e.job_id, e.ci] if {
	some [e, c] in with_tools({"docker", "podman"})
	contains(c.text, "load")
	regex.match(`(docker|podman)\s+(image\s+)?load\b`, c.text)
}

job_pushes(w, j, ci) if {
	some p in pushes
	[p[0], p[1], p[2]] == [w, j, ci]
}

job_pushes(w, j, ci) if {
	some e in using(object.keys(image_push_actions))
	[e.workflow, e.job_id, e.ci] == [w, j, ci]
}

# Actions that push a local image under a repository and tag given as inputs:
# action → [repository input, tag input].
image_push_actions := {"mozilla/deploy-actions/docker-push": ["image_repo_path", "image_tag"]}

# Pushes of an image loaded from a file (built by an earlier job): the pushing job
# chooses the tags. {entry, refs, at, match}, in releasing contexts (for tag rules).
loaded_pushes contains p if {
	some e in using(object.keys(image_push_actions))
	[e.workflow, e.job_id, e.ci] in image_loads
	[repo_in, tag_in] := image_push_actions[e.step.action]
	repo := trim_space(object.get(e.with, repo_in, ""))
	repo != ""
	tags := [trim_space(t) | some t in regex.split(`[\n,]`, object.get(e.with, tag_in, "")); trim_space(t) != ""]
	count(tags) > 0
	releasing(e)
	not test_only(e)
	p := {"entry": e, "refs": [concat(":", [repo, t]) | some t in tags], "at": array.concat(e.path, ["with", tag_in]), "match": null}
}

# Job contexts that push a reference known only at run time.
unknown_pushes contains [w, j, ci] if {
	some [w, j, ci, name] in pushes
	not known_image(name)
}

# Images pushed by `docker|podman|buildah push` in a job context (flags before the
# reference: `docker push -a REPO` / `--all-tags` pushes every tag of the repository).
pushes contains [e.workflow, e.job_id, e.ci, image_name(trim(m[2], "\"'"))] if {
	some [e, c] in with_tools({"docker", "podman", "buildah"})
	contains(c.text, "push")
	some m in regex.find_all_string_submatch_n(concat("", [`(docker|podman|buildah)\s+(?:image\s+)?push\s+(?:-\S+\s+)*`, ref_token]), c.text, -1)
}

# Job contexts that push what an earlier build command of theirs built, by the builder's
# own push command: `docker compose push`, `kamal push` / `kamal build push`.
tool_pushes contains [e.workflow, e.job_id, e.ci] if {
	some [e, _, words] in make_image_commands
	some w in words
	w in {"push", "publish"}
}

tool_pushes contains [e.workflow, e.job_id, e.ci] if {
	some [e, c] in with_tools({"docker", "docker-compose", "kamal"})
	some word in ["push", "deliver"]
	contains(c.text, word)
	regex.match(`((docker\s+compose|docker-compose)\s([^;&|\n]*\s)?push|kamal\s+(build\s+)?(push|deliver))\b`, c.text)
}

# Pushed builds reached by a releasing event (not only by pull requests), outside
# workflows that exist to test (integration / e2e test images are not releases) — unless
# that workflow's call tree deploys: a workflow that deploys is never exempt, whatever it
# is called.
release_builds contains b if {
	some b in builds
	b.pushed
	releasing(b.entry)
	not test_only(b.entry)
}

test_only(e) if {
	root := root_workflow(e.workflow, context(e))
	some path in {e.workflow, root}
	test_workflow(path)
	not deploying_tree(root)
}

# A workflow (by path) whose jobs, or the workflows they call, deploy.
deploying_tree(path) if {
	some d in deploying_jobs
	d.workflow == path
}

deploying_tree(path) if {
	some job in workflow_at[path].jobs
	some d in deploying_jobs
	d.workflow == job.calls.workflow
}

# Runs started by hand or on a timer: they build whatever commit they are given.
manual_events := {"workflow_dispatch", "repository_dispatch", "schedule"}

manual_only(ctx) if {
	every t in ctx.triggers {
		t in manual_events | pr_events
	}
}

test_workflow(path) if {
	wf := workflow_at[path]
	parts := split(path, "/")
	regex.match(`(?i)(^|[^a-z])(test|tests|testing|integration|e2e)([^a-z]|$)`, concat(" ", [parts[count(parts) - 1], object.get(wf, "name", "")]))
}

# Jobs (workflow, job) that build and push an image in some releasing context.
building_jobs contains {"workflow": b.entry.workflow, "job": b.entry.job_id} if {
	some b in release_builds
}

# The images a build produces that are known (see known_image), with the metadata-action
# step that names them when the tags come from `steps.<id>.outputs.tags`.
built_images(b) := {image_name(r) | some r in b.refs; known_image(image_name(r))}

# docker/metadata-action steps of a job context: {images, sha (has a type=sha tag)}.
meta_steps contains m if {
	some e in using({"docker/metadata-action"})
	id := object.get(e.step, "id", "")
	images := {lower(trim_space(i)) | some i in regex.split(`[\n,]`, object.get(e.with, "images", "")); trim_space(i) != ""; not contains(i, "=")}
	m := {
		"workflow": e.workflow, "job_id": e.job_id, "ci": e.ci, "id": id,
		"images": images, "tags": object.get(e.with, "tags", ""),
	}
}

# The metadata step a build's tags come from, if any.
meta_of(b) := m if {
	some m in meta_steps
	m.workflow == b.entry.workflow
	m.job_id == b.entry.job_id
	m.ci == b.entry.ci
	m.id != ""
	contains(b.meta, sprintf("steps.%s.outputs", [m.id]))
}

# ---------------------------------------------------------------------------------------
# Promotions, deploys, scans, tests

promotion_actions := {"akhilerm/tag-push-action", "shrink/actions-docker-registry-tag"}

# Jobs that retag an image they did not build: a registry-side copy, or `docker pull`
# followed by `docker tag` (a build job that tags its own image is not a promotion).
retag_command := `(^|[\s;&|(])(crane\s+(tag|copy|cp)\b|imagetools\s+create\b|skopeo\s+copy\b|aws\s+ecr\s+put-image\b|regctl\s+image\s+copy\b|oras\s+(copy|cp|tag)\b)`

retag_tools := {"crane", "docker", "skopeo", "aws", "regctl", "oras"}

retagging_jobs contains {"workflow": e.workflow, "job": e.job_id} if {
	some [e, c] in matched("retag")
}

retagging_jobs contains {"workflow": e.workflow, "job": e.job_id} if {
	some e in using(promotion_actions)
}

deploying_jobs contains {"workflow": e.workflow, "job": e.job_id} if {
	some e in using(steps.deploy_actions)
}

deploying_jobs contains {"workflow": e.workflow, "job": e.job_id} if {
	some e in using(object.keys(steps.ssh_actions))
	steps.ssh_deploy(e.step.action_repo, e["with"])
}

deploying_jobs contains {"workflow": e.workflow, "job": e.job_id} if {
	some [e, _] in matched("ssh_deploy")
}

deploying_jobs contains {"workflow": e.workflow, "job": e.job_id} if {
	some e in using({"superfly/flyctl-actions"})
	steps.flyctl_deploy(e.step.action, e["with"])
}

deploying_jobs contains {"workflow": e.workflow, "job": e.job_id} if {
	some [e, c] in deploy_matches
	not contains(c.text, "--build-only")
}

deploying_jobs contains {"workflow": e.workflow, "job": e.job_id} if {
	some e in ecs_script_deploys
}

# Steps that hand a script of the repository an ECS deploy target in `env:`: the cluster
# (`ECS_CLUSTER`), the service or task family (`SERVICE_NAME`, `ECS_SERVICE`,
# `TASK_FAMILY`, `TASK_DEFINITION`) and the image or tag to put there (`IMAGE`,
# `NEW_IMAGE_TAG`, ...). Such a script registers a task definition with that image and
# rolls the service (or runs the task) on it: an ECS deploy whose commands are not in the
# workflow.
ecs_script_deploys contains e if {
	some k in ["ECS_CLUSTER", "ECS_CLUSTER_NAME", "AWS_ECS_CLUSTER", "AWS_ECS_CLUSTER_NAME"]
	some i in object.get(input.pipeline.index.env, k, [])
	e := input.pipeline.steps[i]
	keys := concat(" ", object.keys(e.env))
	contains(keys, "IMAGE")
	regex.match(`(^|\s)(ECS_)?(SERVICE|SERVICE_NAME|TASK_FAMILY|TASK_DEFINITION|TASK_DEFINITION_FAMILY|TASK_DEFINITION_NAME)(\s|$)`, keys)
	some c in e.commands
	runs_script(c.text)
}

# A command that runs a script file of the repository (`./scripts/deploy.sh`,
# `bash deploy.sh`, `python deploy.py`).
runs_script(text) if regex.match(`(^|[\s;&|(=])(\./[A-Za-z0-9_./-]+|[A-Za-z0-9_./-]+\.(sh|py|rb|js|ts|ps1))([\s;&|)"']|$)`, text)

# Deploy actions named for the platform they deploy to (see `steps.deploy_name`).
deploying_jobs contains {"workflow": e.workflow, "job": e.job_id} if {
	some e in using(steps.deploy_named_actions)
}

deploying_jobs contains {"workflow": w, "job": j} if some [w, j] in gitops_deploys

deploying_jobs contains {"workflow": w, "job": j} if some [w, j] in handoff_deploys

deploying_jobs contains {"workflow": w, "job": j} if some [w, j] in iac_deploys

# ---------------------------------------------------------------------------------------
# GitOps deploys: the job writes the new image tag into a manifests repository (Helm
# values, kustomization, Terraform variables) that Argo CD, Flux or an apply pipeline
# deploys from. It checks out another repository, edits an image tag, and pushes commits.
# A push of other files (docs, a Homebrew formula) names no image tag; a checkout of this
# repository is a release commit, not a deploy.

# The repository a value names is this one.
own_repository(r) if contains(lower(r), "github.repository")

own_repository(r) if contains(lower(r), "github.event.repository")

own_repository(r) if {
	input.repository.owner != ""
	lower(trim(r, "\"' ")) == lower(concat("/", [input.repository.owner, input.repository.name]))
}

own_repository(r) if lower(replace(trim(r, "\"' "), "/", "__")) == lower(input.repository.name)

foreign_checkouts contains [e.workflow, e.job_id, e.ci] if {
	some e in using({"actions/checkout"})
	repo := trim_space(object.get(e.with, "repository", ""))
	repo != ""
	not own_repository(repo)
}

# Actions that commit and push (or push) the working tree.
git_push_actions := {"ad-m/github-push-action", "stefanzweifel/git-auto-commit-action", "endbug/add-and-commit", "actions-js/push", "github-actions-x/commit", "cpina/github-action-push-to-another-repository"}

git_pushes contains [e.workflow, e.job_id, e.ci] if {
	some e in using(git_push_actions)
}

git_pushes contains [e.workflow, e.job_id, e.ci] if {
	some [e, _] in matching(push_candidates, `git\s+([^;&|\n]*\s)?push\b`)
}

push_candidates := [[e, c] |
	count(foreign_checkouts) > 0
	some [e, c] in with_tools({"git"})
	contains(c.text, "push")
	[e.workflow, e.job_id, e.ci] in foreign_checkouts
]

# An image tag edited in the job: a file editor (`yq`, `sed`, `kustomize`) or a YAML
# update action given an image or tag key, or a job variable bound to an image tag.
tag_edit_pattern := `(?i)(image|\.tag\b|\btag\s*[:=]|newtag|docker[_-]?tag)`

tag_edits contains [e.workflow, e.job_id, e.ci] if {
	count(foreign_checkouts) > 0
	some [e, c] in with_tools({"yq", "sed", "kustomize", "envsubst", "jq"})
	[e.workflow, e.job_id, e.ci] in foreign_checkouts
	regex.match(tag_edit_pattern, c.text)
}

tag_edits contains [e.workflow, e.job_id, e.ci] if {
	some e in using({"mikefarah/yq", "fjogeleit/yaml-update-action"})
	[e.workflow, e.job_id, e.ci] in foreign_checkouts
	regex.match(tag_edit_pattern, json.marshal(e["with"]))
}

tag_edits contains [w, j, ci] if {
	some [w, j, ci] in foreign_checkouts
	vars := [concat("=", [k, v]) | some k, v in object.get(job_at[w][j], "env", {})]
	count(vars) > 0
	regex.match(`(?i)(image|docker|container)[_-]?(tag|version|digest)`, concat("\n", vars))
}

gitops_deploys contains [w, j] if {
	some [w, j, ci] in foreign_checkouts
	[w, j, ci] in git_pushes
	[w, j, ci] in tag_edits
}

# ---------------------------------------------------------------------------------------
# Hand-offs: the job sends the new image tag to what deploys it, a `repository_dispatch`
# or `workflow_dispatch` of another repository (its manifests repository) or a deploy
# hook, in the request's payload. (A dispatch of this repository starts one of its own
# workflows, judged where that workflow deploys; a deploy hook with no tag redeploys
# whatever it is configured with.)
handoff_tag := `(?i)(image|tag|digest)`

handoff_deploys contains [e.workflow, e.job_id] if {
	some [e, c] in with_tools({"curl", "wget", "http"})
	text := lower(c.text)
	count([w | some w in ["dispatches", "deploy"]; contains(text, w)]) > 0
	regex.match(`(https?://[^\s'"]*(deploy|/dispatches)|\$\{\{\s*(secrets|vars|env)\.[a-z0-9_]*deploy|\$\{?[a-z0-9_]*deploy)`, text)
	not chat_or_api(text)
	not own_dispatch(text)
	parts := regex.split(`\s(-d|-F|--data[a-z-]*|--form|--json)[\s=]`, c.text)
	count(parts) > 1
	regex.match(handoff_tag, payload_of(concat(" ", array.slice(parts, 1, count(parts)))))
}

# Chat notifications ("deployed tag …"), deploy markers of monitoring services, and
# GitHub API calls other than dispatches (deployment records, releases).
chat_or_api(text) if {
	some w in ["slack", "discord", "teams", "mattermost", "telegram", "webhook.office", "chat", "sentry", "newrelic", "datadog", "honeycomb", "grafana", "rollbar", "bugsnag", "launchdarkly"]
	contains(text, w)
}

chat_or_api(text) if {
	contains(text, "api.github.com")
	not contains(text, "/dispatches")
}

handoff_deploys contains [e.workflow, e.job_id] if {
	some [e, c] in with_tools({"gh"})
	some word in ["dispatches", "workflow run"]
	contains(c.text, word)
	regex.match(`gh\s+(api\s[^;&|\n]*/dispatches|workflow\s+run\s[^;&|\n]*(-R|--repo)[\s=])`, c.text)
	not own_dispatch(lower(c.text))
	not own_workflow_run(c.text)
	parts := regex.split(`\s(-f|-F|--field|--raw-field|--input)[\s=]`, c.text)
	count(parts) > 1
	regex.match(handoff_tag, concat(" ", array.slice(parts, 1, count(parts))))
}

handoff_deploys contains [e.workflow, e.job_id] if {
	some e in using({"peter-evans/repository-dispatch", "benc-uk/workflow-dispatch", "convictional/trigger-workflow-and-wait", "aurelien-baudet/workflow-dispatch", "the-actions-org/workflow-dispatch"})
	repo := object.get(e.with, "repository", object.get(e.with, "repo", object.get(e.with, "owner", "")))
	repo != ""
	not own_repository(repo)
	regex.match(handoff_tag, concat(" ", [object.get(e.with, k, "") | some k in ["client-payload", "inputs", "client_payload", "workflow_inputs"]]))
}

# What a request sends (the text after its data flag, or a `gh` command's fields), headers
# dropped.
payload_of(text) := regex.replace(text, `(-H|--header)\s+("[^"]*"|'[^']*'|\S+)`, "")

own_dispatch(text) if {
	some m in regex.find_all_string_submatch_n(`repos/([^/\s'"]+/[^/\s'"]+)/dispatches`, text, -1)
	own_repository(m[1])
}

own_workflow_run(text) if {
	some m in regex.find_all_string_submatch_n(`(?:-R|--repo)[\s=]+("[^"]+"|'[^']+'|\S+)`, text, -1)
	own_repository(m[1])
}

# Dispatches of this repository's own `repository_dispatch` event, as [workflow, job,
# event type]: they start the local workflows that listen for that type.
own_dispatches contains [e.workflow, e.job_id, lower(t)] if {
	some e in using({"peter-evans/repository-dispatch"})
	repo := object.get(e.with, "repository", "")
	own_or_default(repo)
	t := trim_space(object.get(e.with, "event-type", ""))
	t != ""
}

own_dispatches contains [e.workflow, e.job_id, lower(m[1])] if {
	some [e, c] in with_tools({"curl", "gh"})
	contains(c.text, "dispatches")
	own_dispatch(lower(c.text))
	some m in regex.find_all_string_submatch_n(`event_type["']?\s*[:=]\s*["']?([A-Za-z0-9_.-]+)`, c.text, -1)
}

own_or_default("") := true

own_or_default(r) := true if own_repository(r)

# ---------------------------------------------------------------------------------------
# Infrastructure as code that deploys the built image: `terraform apply`, `az deployment
# … create`, `aws cloudformation deploy`, `pulumi up`, `cdk deploy`, given an image (a
# variable, parameter or `TF_VAR_` named for an image, container version or digest), or
# applying a saved plan that a job it needs (or an earlier step) planned with one. An
# apply with no image reference changes infrastructure only.
iac_apply := `(^|[\s;&|(/])((terraform|tofu|terragrunt)\s+([^;&|\n]*\s)?apply\b|az\s+deployment\s+(group|sub|mg|tenant)\s+create\b|aws\s+cloudformation\s+(deploy|create-stack|update-stack)\b|pulumi\s+([^;&|\n]*\s)?up\b|cdk\s+([^;&|\n]*\s)?deploy\b)`

iac_tools := {"terraform", "tofu", "terragrunt", "az", "aws", "pulumi", "cdk"}

iac_image_var := `(?i)(image|digest|container[_-]?(version|tag)|docker[_-]?tag)[a-z0-9_-]*\s*=`

iac_matches := matched("iac_apply")

# Entries of IaC commands (Terraform plans included) given an image.
iac_image_steps contains [e.workflow, e.job_id, e.ci] if {
	some [e, c] in array.concat(with_tools({"terraform", "tofu", "terragrunt", "pulumi", "cdk"}), iac_matches)
	text := lower(c.text)
	count([w | some w in ["image", "digest", "container", "docker"]; contains(text, w)]) > 0
	regex.match(iac_image_var, c.text)
}

iac_image_steps contains [e.workflow, e.job_id, e.ci] if {
	some [e, c] in with_tools({"terraform", "tofu", "terragrunt"})
	job := job_at[e.workflow][e.job_id]
	env := object.union(object.union(object.get(workflow_at[e.workflow], "env", {}), object.get(job, "env", {})), e.env)
	vars := [concat("", [k, "="]) | some k, _ in env; startswith(lower(k), "tf_var_")]
	count(vars) > 0
	regex.match(iac_image_var, concat("\n", vars))
}

iac_deploys contains [e.workflow, e.job_id] if {
	some [e, _] in iac_matches
	[e.workflow, e.job_id, e.ci] in iac_image_steps
}

iac_deploys contains [e.workflow, e.job_id] if {
	some [e, c] in iac_matches
	some u in context(e).upstream
	some [w, j, _] in iac_image_steps
	u == {"workflow": w, "job": j}
}

# The deploy and scan commands of the repository, as [entry, command] pairs: values, so
# that every rule asking shares one match (a function call is evaluated at each call).
deploy_matches := array.concat(array.concat(matched("deploy"), flagged_deploys), swarm_deploys)

flagged_deploys := [[e, c] |
	some [e, c] in with_tools({"helm", "helmfile", "kubectl", "fly", "flyctl"})
	steps.flagged(c.text)
	regex.match(steps.flagged_deploy_command, c.text)
]

swarm_deploys := [[e, c] |
	some [e, c] in with_tools({"docker"})
	some word in ["stack", "service"]
	contains(c.text, word)
	regex.match(`docker\s+(stack\s+deploy|service\s+update)\b`, c.text)
]

scan_matches := matched("scan")

test_candidates := with_tools(test_tools)

# The programs `more_test_command` can match (fewer lines to match it against).
more_test_tools := {"mvn", "mvnw", "gradle", "gradlew", "npm", "pnpm", "yarn", "bundle", "rails", "shellcheck", "hadolint", "stylelint", "prettier", "black", "isort", "pylint", "tsc", "playwright", "cypress", "swift", "bats", "helm", "terraform", "pre-commit", "php", "pest"}

more_test_candidates := with_tools(more_test_tools)

# (The action index holds both `owner/repo` and `owner/repo/path`: either may be listed.)
scanning_steps contains {"workflow": e.workflow, "job": e.job_id} if {
	some e in using(steps.scanner_actions | steps.scanner_named_actions)
}

scanning_steps contains {"workflow": e.workflow, "job": e.job_id} if {
	some [e, c] in scan_matches
}

scanning_workflow_paths := {s.workflow | some s in scanning_steps}

# Jobs that scan: a scanner step, or a call of a workflow that scans: a local one by what
# it runs (scanner steps, or a call of another repository's scan workflow), another
# repository's (whose steps are not seen) by a path that says scan/security. A local
# workflow is judged by its steps, not its name: `aws-deploy-scanner.yml` that deploys a
# virus-scanner service scans nothing.
scanning_jobs contains s if some s in scanning_steps

scanning_jobs contains {"workflow": wf.path, "job": job.id} if {
	paths := scanning_workflow_paths | remote_scan_workflow_paths
	some wf in input.workflows
	some job in wf.jobs
	job.calls.workflow in paths
}

scanning_jobs contains {"workflow": j.workflow, "job": j.job} if some j in remote_scan_calls

# Jobs calling another repository's workflow whose path says scan/security.
remote_scan_calls contains {"workflow": wf.path, "job": job.id} if {
	some wf in input.workflows
	some job in wf.jobs
	job.uses.path
	not job.uses.resolved
	regex.match(`scan|secur|trivy|grype|snyk|codeql|vuln`, lower(job.uses.path))
}

remote_scan_workflow_paths := {j.workflow | some j in remote_scan_calls}

test_tools := {"npm", "yarn", "pnpm", "npx", "pytest", "python", "python3", "tox", "nox", "go", "golangci-lint", "cargo", "rspec", "rails", "rake", "bundle", "rubocop", "mvn", "mvnw", "gradle", "gradlew", "make", "phpunit", "dotnet", "jest", "vitest", "mix", "flake8", "ruff", "mypy", "eslint", "poetry", "uv", "composer", "bun", "deno"}

# Test runners and linters, one alternative a line.
test_command := concat("", [`(^|[\s;&|(/])(`, concat("|", [
	`npm\s+(run\s+)?(test|lint|ci:test)`,
	`yarn\s+(run\s+)?(test|lint)`,
	`pnpm\s+(run\s+)?(test|lint)`,
	`npx\s+(jest|vitest|eslint|playwright)`,
	`pytest`,
	`python3?\s+-m\s+(pytest|unittest)`,
	`tox\b`,
	`nox\b`,
	`go\s+test`,
	`go\s+vet`,
	`golangci-lint`,
	`cargo\s+(test|clippy)`,
	`rspec`,
	`rails\s+test`,
	`rake\s+(test|spec)`,
	`rubocop`,
	`mvn\b.*\b(test|verify)\b`,
	`gradle\w*\b.*\b(test|check)\b`,
	`gradlew\b.*\b(test|check)\b`,
	`make\s+(test|check|lint)`,
	`phpunit`,
	`dotnet\s+test`,
	`jest\b`,
	`vitest\b`,
	`mix\s+test`,
	`flake8`,
	`ruff`,
	`mypy`,
	`eslint`,
	`bun\s+test`,
	`deno\s+test`,
	`composer\s+test`,
	`poetry\s+run\s+pytest`,
	`uv\s+run\s+pytest`,
]), `)`])

# Jobs named for testing, and jobs with a step named for testing. Names are matched all
# at once, one line per name (`<workflow index> <job index>:<name>`), because regorus starts
# a fresh matcher for every `regex.match` call: one call per repository instead of one per
# job. Lower-cased, because `(?i)` makes the matcher several times slower.
# (`input.pipeline.index.job_names` / `.step_names` hold the same text, built in Rust; the
# definitions here serve inputs written by hand.)
job_names := input.pipeline.index.job_names if is_string(input.pipeline.index.job_names)
else := concat("\n", [concat("", [format_int(i, 10), " ", format_int(j, 10), ":", lower(job.id), " ", lower(object.get(job, "name", ""))]) |
	some i, wf in input.workflows
	some j, job in wf.jobs
])

step_names := input.pipeline.index.step_names if is_string(input.pipeline.index.step_names)
else := concat("\n", [concat("", [format_int(i, 10), " ", format_int(j, 10), ":", lower(step.name)]) |
	some i, wf in input.workflows
	some j, job in wf.jobs
	some step in job.steps
])

# A word of a line's name, bounded by non-letters.
named_for(words) := concat("", [`(?m)^(\d+) (\d+):(?:[^\n]*[^a-z\n])?(?:`, words, `)(?:[^a-z\n][^\n]*)?$`])

# More runners, linters and builds that run the tests (`mvn package`, `gradle build`).
more_test_command := concat("", [`(^|[\s;&|(/])(`, concat("|", [
	`(bundle\s+exec\s+)?rails\s+spec`,
	`mvnw?\s([^;&|\n]*\s)?(package|install)\b`,
	`gradlew?\s([^;&|\n]*\s)?build\b`,
	`pnpm\s+(run\s+)?(test|lint|check|typecheck)`,
	`npm\s+run\s+(check|typecheck|test:\S+|lint:\S+)`,
	`yarn\s+(run\s+)?(check|typecheck|test:\S+)`,
	`shellcheck`,
	`hadolint`,
	`stylelint`,
	`prettier\s+(--check|-c)\b`,
	`black\s+--check`,
	`isort\s+--check`,
	`pylint`,
	`tsc\s+--noEmit`,
	`playwright\s+test`,
	`cypress\s+run`,
	`swift\s+test`,
	`bats\b`,
	`helm\s+lint`,
	`terraform\s+validate`,
	`pre-commit\s+run`,
	`php\s+artisan\s+test`,
	`pest\b`,
]), `)`])

skips_tests(text) if {
	some word in ["-D", "-x", "--exclude-task"]
	contains(text, word)
	regex.match(`-DskipTests|-Dmaven\.test\.skip=true|\s-x\s+test\b|--exclude-task\s+test\b`, text)
}

# Jobs named for testing, by whole words only (`check-for-changes` and
# `check-latest-release` test nothing), and only when the job runs something: a step with a
# script or an action, or a call of a reusable workflow.
testing_jobs contains {"workflow": wf.path, "job": job.id} if {
	some m in regex.find_all_string_submatch_n(named_for("test|tests|testing|lint|linting|linter|unit|spec|specs|qa|e2e"), job_names, -1)
	wf := input.workflows[to_number(m[1])]
	job := wf.jobs[to_number(m[2])]
	runs_something(job)
}

runs_something(job) if job.calls.workflow

runs_something(job) if job.uses.raw

runs_something(job) if {
	some step in job.steps
	step.run != ""
}

runs_something(job) if {
	some step in job.steps
	step.uses.raw
	not step.uses.action_repo in {"actions/checkout", "actions/cache", "actions/download-artifact", "actions/upload-artifact"}
}

# (Two patterns: one would exceed the regex engine's size limit.)
testing_jobs contains {"workflow": e.workflow, "job": e.job_id} if {
	some name in ["test", "more_test"]
	some [e, c] in matched(name)
	not skips_tests(c.text)
	not validates_what_it_applies(e, c)
}

# `terraform validate` in a job that then applies the configuration is a step of the
# apply (infrastructure code checked on its way out), not a test of the application.
validates_what_it_applies(e, c) if {
	contains(c.text, "terraform")
	regex.match(`terraform\s+validate\b`, c.text)
	some [e2, c2] in with_tools({"terraform"})
	e2.workflow == e.workflow
	e2.job_id == e.job_id
	contains(c2.text, "apply")
	regex.match(`terraform\s+([^;&|\n]*\s)?apply\b`, c2.text)
}

testing_jobs contains {"workflow": e.workflow, "job": e.job_id} if {
	some e in using(test_actions)
}

# Steps named for running tests or linters ("Run tests", "Lint"), whole words — unless
# the name says the step does something else to or for the tests: "Set up test database",
# "Install test dependencies", "Build and test" (a build), "Upload test results".
testing_jobs contains {"workflow": wf.path, "job": job.id} if {
	some m in regex.find_all_string_submatch_n(named_for("test|tests|lint|linting|linter|unit|spec|specs"), step_names, -1)
	not m[0] in other_step_names
	wf := input.workflows[to_number(m[1])]
	job := wf.jobs[to_number(m[2])]
}

# Step names (lines of `step_names`) that start with a verb other than running: set-up,
# build, deploy and artifact steps.
other_step_names := {l | some l in regex.find_n(`(?m)^\d+ \d+:(set up|setup|set-up|install|prepare|configure|create|start|build|deploy|publish|push|upload|download|cache|restore)\b[^\n]*$`, step_names, -1)}

# Actions that run tests or linters.
test_actions := {
	"golangci/golangci-lint-action",
	"github/super-linter",
	"super-linter/super-linter",
	"hadolint/hadolint-action",
	"pre-commit/action",
	"cypress-io/github-action",
	"dorny/test-reporter",
	"mikepenz/action-junit-report",
	"psf/black",
	"chartboost/ruff-action",
	"astral-sh/ruff-action",
	"rhysd/actionlint",
	"reviewdog/action-eslint",
	"wearerequired/lint-action",
	"ludeeus/action-shellcheck",
	"gradle/gradle-build-action",
	"codecov/codecov-action",
}

# Production environment names (`input.config["prod-deploy-without-environment"]`).
prod_names := {lower(n) | some n in object.get(object.get(input.config, "prod-deploy-without-environment", {}), "environments", ["prod", "production", "live", "prd"])}

# ---------------------------------------------------------------------------------------
# Call contexts

# The workflow whose own trigger started a context (the outermost caller's, or itself).
root_workflow(wf_path, ctx) := ctx.via[0].workflow if count(ctx.via) > 0

root_workflow(wf_path, ctx) := wf_path if count(ctx.via) == 0

# Called only from other repositories (directly, or through local callers that are
# themselves called only from elsewhere): callers, inputs and needs are unknown.
external(ctx) if ctx.triggers == ["workflow_call"]

# Where a finding about a job's place in the pipeline points: the outermost caller job
# when the job runs through callers (only the caller can add `needs:`), else the job; at
# its `needs:` when it has one.
chain_anchor(wf_path, job, ctx) := {"file": a.workflow, "path": anchor_path(job_at[a.workflow][a.job])} if {
	count(ctx.via) > 0
	a := ctx.via[0]
}

chain_anchor(wf_path, job, ctx) := {"file": wf_path, "path": anchor_path(job)} if count(ctx.via) == 0

anchor_path(job) := array.concat(job.path, ["needs"]) if count(job.needs) > 0

anchor_path(job) := job.path if count(job.needs) == 0

# Workflows (by path) that build an image, and those whose call tree does.
building_workflows contains b.entry.workflow if {
	some b in builds
}

calls_building(wf) if wf.path in building_workflows

calls_building(wf) if {
	some job in wf.jobs
	job.calls.workflow in building_workflows
}

calls_building(wf) if {
	some job in wf.jobs
	inner := workflow_at[job.calls.workflow]
	some j2 in inner.jobs
	j2.calls.workflow in building_workflows
}

# Events of a context that start from tag pushes / releases only (the ref name is then a
# version, not a branch).
tag_release_only(wf_path, ctx) if {
	root := workflow_at[root_workflow(wf_path, ctx)]
	not root.triggers.pull_request
	some t in ctx.triggers
	t in {"push", "release"}
	every t2 in ctx.triggers {
		tag_or_release(root, t2)
	}
}

tag_or_release(_, "release") := true

tag_or_release(_, "workflow_dispatch") := true

tag_or_release(root, "push") := true if {
	root.triggers.push.tags
	not root.triggers.push.branches
}

# Environment-like input names of a reusable workflow.
env_input := `(?i)^(env|environment|environment[_-]name|stage|target|target[_-]env(ironment)?|deploy[_-]env(ironment)?|deployment[_-]environment)$`

# A build step that runs in a job whose role is promotion: a promote workflow or job, a job
# that also retags, or a deploy workflow called with an environment input.
promotion_role(e) if regex.match(`(?i)promot`, concat(" ", [e.workflow, e.job_id, object.get(workflow_at[e.workflow], "name", "")]))

promotion_role(e) if {"workflow": e.workflow, "job": e.job_id} in retagging_jobs

# (Or a caller further out calls such a workflow, which runs this one.)
promotion_role(e) if {
	some v in context(e).via
	caller := job_at[v.workflow][v.job]
	callee := caller.calls.workflow
	callee != e.workflow
	some k, _ in caller["with"]
	regex.match(env_input, k)
	regex.match(`(?i)deploy|release|rollout|promot`, callee)
}

promotion_role(e) if {
	ctx := context(e)
	count(ctx.via) > 0
	some k, _ in ctx.inputs
	regex.match(env_input, k)
	regex.match(`(?i)deploy|release|rollout|promot`, e.workflow)
}
