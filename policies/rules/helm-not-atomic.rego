package shiplint.rules.helm_not_atomic

import data.shiplint.lib.pipeline
import rego.v1

metadata := {
	"id": "helm-not-atomic",
	"title": "Helm release without automatic rollback",
	"severity": "warning",
	"description": "`helm upgrade` or `helm install` runs without `--atomic` (Helm 3) or `--rollback-on-failure` (Helm 4): a release whose pods never become ready stays half-rolled-out instead of being rolled back.",
	"remediation": "Add `--atomic --timeout <duration>` (Helm 3) or `--rollback-on-failure` (Helm 4) to every `helm upgrade`/`helm install` that deploys, so a failed rollout restores the previous release and fails the job.",
	"tags": ["security", "deploy", "rollback"],
	"online": false,
}

helm_release := `(^|[\s;&|(])helm\s+(upgrade|install)\b`

findings contains f if {
	some [e, c] in pipeline.with_tools({"helm"})
	regex.match(helm_release, c.text)
	not regex.match(`\s--(atomic|rollback-on-failure)\b`, c.text)
	not regex.match(`\s--dry-run\b|\s--help\b|helm\s+(upgrade|install)\s+--help`, c.text)
	f := {
		"message": "`helm upgrade/install` without `--atomic`: a failed rollout is left in place instead of being rolled back",
		"file": e.file,
		"path": array.concat(e.path, ["run"]),
		"match": pipeline.raw_line(e, c),
		"occurrence": pipeline.occurrence(e, c.line, pipeline.raw_line(e, c)),
	}
}
