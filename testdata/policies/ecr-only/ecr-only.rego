# A custom rule, the worked example of docs/writing-policies.md:
# images must be pushed only to our ECR registry.
package shiplint.rules.ecr_only

import data.shiplint.lib.actions
import data.shiplint.lib.steps
import rego.v1

metadata := {
	"id": "ecr-only",
	"title": "Image pushed outside our ECR registry",
	"severity": "error",
	"description": "Release images live in our Amazon ECR registry, where they are scanned, retained and replicated. An image pushed anywhere else escapes those controls and can be deployed from there.",
	"remediation": "Push to the ECR registry (`<account>.dkr.ecr.<region>.amazonaws.com/<repo>`) and log in with `aws-actions/amazon-ecr-login`.",
	"tags": ["security", "supply-chain"],
	"online": false,
}

# `rules.ecr-only.params.registries`: the allowed registry hosts. Default: any ECR host.
registries := object.get(object.get(input.config, "ecr-only", {}), "registries", [])

ecr_host := `^[0-9]{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com$`

allowed(host) if {
	count(registries) == 0
	regex.match(ecr_host, host)
}

allowed(host) if {
	some r in registries
	lower(r) == lower(host)
}

# The registry of an image reference: its first part when that looks like a host
# (has a dot or a port, or is localhost) or is a variable, else Docker Hub.
host_like(part) if regex.match(`[.:$]`, part)

host_like(part) if part == "localhost"

registry(image) := parts[0] if {
	parts := split(image, "/")
	count(parts) > 1
	host_like(parts[0])
}

registry(image) := "docker.io" if {
	parts := split(image, "/")
	count(parts) > 1
	not host_like(parts[0])
}

registry(image) := "docker.io" if count(split(image, "/")) == 1

# Proof, not suspicion: a registry that comes from an expression or a shell variable
# is unknown, and does not fire.
offending(image) := host if {
	host := registry(image)
	not contains(host, "$")
	not allowed(host)
}

# `docker/build-push-action` with `push: true`: every entry of `tags`.
pushes(step) if step["with"].push == true

pushes(step) if step["with"].push == "true"

tag_list(v) := [t | some line in split(v, "\n"); some part in split(line, ","); t := trim_space(part); t != ""]

findings contains f if {
	some s in steps.all_steps
	actions.uses_any(s.step, {"docker/build-push-action"})
	pushes(s.step)
	is_string(s.step["with"].tags)
	some image in tag_list(s.step["with"].tags)
	host := offending(image)
	f := {
		"message": sprintf("`%s` is pushed to `%s`, not to our ECR registry", [image, host]),
		"file": s.file,
		"path": array.concat(s.step.path, ["with", "tags"]),
		"match": image,
	}
}

# `docker push IMAGE` (or `docker image push`) in a run script.
# Group 1 is the command, group 2 the image (which may hold `${{ ... }}` expressions).
push_command := `(?:^|[\s;&|(])(docker\s+(?:image\s+)?push\s+(?:-\S+\s+)*((?:\$\{\{[^}]*\}\}|[^\s;&|)])+))`

findings contains f if {
	some s in steps.all_steps
	is_string(s.step.run)
	some m in regex.find_all_string_submatch_n(push_command, s.step.run, -1)
	image := trim(m[2], `"'`)
	host := offending(image)
	f := {
		"message": sprintf("`docker push %s` pushes to `%s`, not to our ECR registry", [image, host]),
		"file": s.file,
		"path": array.concat(s.step.path, ["run"]),
		"match": m[1],
	}
}
