package shiplint.rules.promotion_order_not_enforced

import data.shiplint.lib.gates
import rego.v1

metadata := {
	"id": "promotion-order-not-enforced",
	"title": "Promotion order not enforced by the branch",
	"severity": "warning",
	"description": "Each environment is deployed from its own branch (dev, staging, main), and merging into the branch that deploys an environment does not require a successful deployment to the environment before it in the promotion order: a change can reach production without ever having run in staging.",
	"remediation": "Add a `required_deployments` rule to the branch's ruleset (Settings → Rules → Rulesets → Require deployments to succeed) with the environment before it, so a pull request merges only after its commit was deployed there.",
	"tags": ["security", "settings", "branch-protection", "promotion"],
	"online": true,
}

findings contains f if {
	gates.names_known
	some b in {x | some [x, _, _] in gates.unenforced}
	items := [[d, p] | some [b2, d, p] in gates.unenforced; b2 == b]
	f := {
		"message": message(b, items),
		"setting": sprintf("branches/%s/rules/required_deployments", [b]),
		"related": array.concat([related_deploy(d) | some [d, _] in items], [r | some [_, p] in items; some r in earlier(p)]),
	}
}

message(b, items) := sprintf("%s deploys to %s, but merging into %s does not require a successful deployment to %s first (deployed from %s): add %s to the required deployments of a ruleset on %s", [
	b,
	names({d.env | some [d, _] in items}),
	b,
	names(previous(items)),
	names({x | some [_, p] in items; some x in gates.slot_branches[p]}),
	names(previous(items)),
	b,
])

names(s) := concat(", ", sort([sprintf("`%s`", [x]) | some x in s]))

# The environments of the previous slots, as the workflows name them.
previous(items) := {e.env | some [_, p] in items; some e in gates.deploys; e.slot == p}

related_deploy(d) := {"file": d.wf, "path": gates.job_path(d.wf, d.job), "message": sprintf("deploys %s to %s", [d.branch, d.env])}

# One job per environment and branch that deploys the previous slot.
earlier(p) := {{"file": e.wf, "path": gates.job_path(e.wf, e.job), "message": sprintf("deploys %s to %s", [e.branch, e.env])} |
	some e in gates.deploys
	e.slot == p
}
