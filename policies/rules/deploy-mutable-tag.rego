package shiplint.rules.deploy_mutable_tag

import data.shiplint.lib.pipeline
import data.shiplint.lib.steps
import rego.v1

metadata := {
	"id": "deploy-mutable-tag",
	"title": "Deploy uses a mutable image tag",
	"severity": "error",
	"description": "A deploy (`helm upgrade --set image.tag=`, `kubectl set image`, `kustomize edit set image`, `gcloud run deploy --image`, `az containerapp --image`, deploy actions) names the image by a tag proven mutable (`latest`, `stable`, an environment or branch name, `github.ref_name`, a run number) instead of the commit SHA or a digest.",
	"remediation": "Deploy the SHA tag the build pushed (`image.tag=${{ github.sha }}`, or the input that carries it), or pin the digest (`image@sha256:...`).",
	"tags": ["security", "deploy", "traceability"],
	"online": false,
}

# The tags a deploy command names, by the program that deploys (one matcher per
# program instead of trying every program's patterns on every command).
deployed("helm", text) := helm_tags(text) | helm_images(text)

deployed("kubectl", text) := kubectl_images(text)

deployed("kustomize", text) := kustomize_images(text)

deployed("gcloud", text) := cli_images(text)

deployed("az", text) := cli_images(text)

helm_tags(text) := {trim(m[2], "\"'") |
	regex.match(`(^|[\s;&|(])helm\s+(upgrade|install)\b`, text)
	some m in regex.find_all_string_submatch_n(`(?i)[\s,=]([\w.\-]*tag)=("[^"]*"|'[^']*'|(?:\$\{\{[^}]*\}\}|[^,\s"'])+)`, text, -1)
}

helm_images(text) := {pipeline.image_tag(trim(m[1], "\"'")) |
	regex.match(`(^|[\s;&|(])helm\s+(upgrade|install)\b`, text)
	some m in regex.find_all_string_submatch_n(`(?i)[\s,][\w.\-]*image=("[^"]*"|'[^']*'|(?:\$\{\{[^}]*\}\}|[^,\s"'])+)`, text, -1)
	contains(m[1], ":")
}

kubectl_images(text) := {pipeline.image_tag(trim(m[1], "\"'")) |
	regex.match(`kubectl\s+set\s+image\b`, text)
	some m in regex.find_all_string_submatch_n(`\s[\w.\-/]+=("[^"]*"|'[^']*'|(?:\$\{\{[^}]*\}\}|[^\s"'])+)`, text, -1)
	not contains(m[1], "@")
}

kustomize_images(text) := {pipeline.image_tag(img) |
	regex.match(`kustomize\s+edit\s+set\s+image\b`, text)
	some m in regex.find_all_string_submatch_n(`set\s+image\s+("[^"]*"|'[^']*'|(?:\$\{\{[^}]*\}\}|[^\s"'])+)`, text, -1)
	parts := split(trim(m[1], "\"'"), "=")
	img := parts[count(parts) - 1]
	not contains(img, "@")
}

cli_images(text) := {pipeline.image_tag(trim(m[1], "\"'")) |
	regex.match(`gcloud\s+run\s+deploy|az\s+containerapp\s+(update|create|up)|az\s+webapp\s+config\s+container`, text)
	some m in regex.find_all_string_submatch_n(`\s--(?:image|container-image-name|docker-custom-image-name)[=\s]+("[^"]*"|'[^']*'|(?:\$\{\{[^}]*\}\}|[^\s"'])+)`, text, -1)
	not contains(m[1], "@")
}

deploy_image_inputs := {
	"azure/k8s-deploy": "images",
	"google-github-actions/deploy-cloudrun": "image",
	"aws-actions/amazon-ecs-render-task-definition": "image",
	"azure/container-apps-deploy-action": "imageToDeploy",
	"azure/webapps-deploy": "images",
}

findings contains f if {
	some tool in ["helm", "kubectl", "kustomize", "gcloud", "az"]
	some [e, c] in pipeline.with_tools({tool})
	some tag in deployed(tool, c.text)
	pipeline.tag_kind(tag) == "mutable"
	f := {
		"message": sprintf("the deploy names the image by the mutable tag `%s`; what runs can change without a deploy, and you cannot tell which commit it is", [tag]),
		"file": e.file,
		"path": array.concat(e.path, ["run"]),
		"match": pipeline.raw_line_with(e, c, tag),
	}
}

findings contains f if {
	some e in pipeline.using(object.keys(deploy_image_inputs))
	key := deploy_image_inputs[e.step.action_repo]
	some ref in regex.split(`[\n,]`, object.get(e.with, key, ""))
	trim_space(ref) != ""
	not contains(ref, "@")
	tag := pipeline.image_tag(trim_space(ref))
	pipeline.tag_kind(tag) == "mutable"
	f := {
		"message": sprintf("the deploy names the image by the mutable tag `%s`; what runs can change without a deploy, and you cannot tell which commit it is", [tag]),
		"file": e.file,
		"path": array.concat(e.path, ["with", key]),
	}
}

# ---------------------------------------------------------------------------------------
# Containers started on a host over SSH (`ssh host 'docker run … IMAGE'`, an SSH action's
# script): the image `docker run` starts. An image without a tag runs `latest`.

# `docker run [options] IMAGE`: options with a value (`-e K=V`, `--name x`, `--network=x`)
# are skipped; the flags that take none are listed.
docker_run := `docker\s+(?:container\s+)?run\s+(?:(?:-[ditP]+|--(?:rm|detach|interactive|tty|privileged|init|read-only|publish-all|no-healthcheck|oom-kill-disable|quiet)|-q|--?[A-Za-z][A-Za-z0-9_-]*=(?:"[^"]*"|'[^']*'|\$\{\{[^}]*\}\}|[^\s"'])+|--?[A-Za-z][A-Za-z0-9_-]*\s+(?:"[^"]*"|'[^']*'|\$\{\{[^}]*\}\}|[^\s"'])+)\s+)*((?:\$\{\{[^}]*\}\}|[^\s"';&|)\\-])(?:\$\{\{[^}]*\}\}|[^\s"';&|)\\])*)`

# The tag a started image runs: its own, or `latest` when it has none (expressions in its
# last path segment that name the repository carry no tag).
run_tag(ref) := t if {
	t := pipeline.image_tag(ref)
} else := "latest" if {
	not contains(ref, "@")
	seg := pipeline.last_segment(regex.replace(ref, `\$\{\{\s*(github\.repository|github\.event\.repository\.name)\s*\}\}`, "repo"))
	not contains(seg, ":")
	not contains(seg, "$")
}

remote_runs(text) := {[img, tag] |
	contains(text, "run")
	some m in regex.find_all_string_submatch_n(docker_run, text, -1)
	img := m[1]
	tag := run_tag(img)
	pipeline.tag_kind(tag) == "mutable"
}

run_message(img, tag) := sprintf("the deploy starts `%s`, which runs the mutable tag `%s`; what runs can change without a deploy, and you cannot tell which commit it is", [img, tag])

findings contains f if {
	some [e, c] in pipeline.matched("ssh_deploy")
	some [img, tag] in remote_runs(c.text)
	f := {
		"message": run_message(img, tag),
		"file": e.file,
		"path": array.concat(e.path, ["run"]),
		"match": pipeline.raw_line_with(e, c, img),
		"occurrence": pipeline.occurrence(e, pipeline.line_with(e, c, img), pipeline.raw_line_with(e, c, img)),
	}
}

findings contains f if {
	some e in pipeline.using(object.keys(steps.ssh_actions))
	key := steps.ssh_actions[e.step.action_repo]
	script := object.get(e.with, key, "")
	contains(script, "docker")
	lines := split(script, "\n")
	some [start, end] in script_commands(lines)
	text := concat(" ", [trim_suffix(trim_space(lines[i]), "\\") | some i in numbers.range(start, end)])
	some [img, tag] in remote_runs(text)
	at := [i | some i in numbers.range(start, end); contains(lines[i], img)]
	f := {
		"message": run_message(img, tag),
		"file": e.file,
		"path": array.concat(e.path, ["with", key]),
		"match": written_line(e, key, at),
		"occurrence": written_occurrence(e, key, at),
	}
}

# The logical commands of a script as [first line, last line] (trailing-`\` continuations).
script_commands(lines) := [[s, end] |
	some s, _ in lines
	not continued(lines, s - 1)
	ends := [k | some k in numbers.range(s, count(lines) - 1); not continued(lines, k)]
	end := min(array.concat(ends, [count(lines) - 1]))
]

continued(lines, i) if {
	i >= 0
	endswith(trim_space(lines[i]), "\\")
}

# The written line (of the step's input `key`) at the first of `at`, for a finding's `match`.
written_line(e, key, at) := trim_space(split(w, "\n")[at[0]]) if {
	count(at) > 0
	e.file == e.workflow
	w := pipeline.job_at[e.workflow][e.job_id].steps[e.step.index]["with"][key]
	is_string(w)
} else := ""

written_occurrence(e, key, at) := count(indexof_n(concat("", [concat("\n", array.slice(split(w, "\n"), 0, at[0])), "\n"]), written_line(e, key, at))) if {
	count(at) > 0
	e.file == e.workflow
	w := pipeline.job_at[e.workflow][e.job_id].steps[e.step.index]["with"][key]
	is_string(w)
} else := 0

# ---------------------------------------------------------------------------------------
# ECS deploys by a script of the repository, handed the image tag in `env:`
# (`NEW_IMAGE_TAG: latest`).

findings contains f if {
	some e in pipeline.ecs_script_deploys
	some k, v in e.env
	contains(k, "IMAGE")
	is_string(v)
	tag := env_tag(k, v)
	pipeline.tag_kind(tag) == "mutable"
	f := {
		"message": sprintf("the deploy names the image by the mutable tag `%s`; what runs can change without a deploy, and you cannot tell which commit it is", [tag]),
		"file": e.file,
		"path": array.concat(e.path, ["env", k]),
	}
}

# A `…TAG` variable holds a tag; any other `…IMAGE…` variable a reference.
env_tag(k, v) := trim_space(v) if endswith(k, "TAG")

env_tag(k, v) := pipeline.image_tag(trim_space(v)) if not endswith(k, "TAG")
