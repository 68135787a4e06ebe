package shiplint.rules.promotion_rebuilds

import data.shiplint.lib.pipeline
import rego.v1

metadata := {
	"id": "promotion-rebuilds",
	"title": "Promotion builds a new image instead of retagging",
	"severity": "error",
	"description": "A workflow or job whose role is promotion to an environment (it is named promote, it retags images, or it is a deploy/release workflow called with an environment input) runs an image build: the environment receives a new build, not the image that was tested.",
	"remediation": "Promote by retag: `docker pull/tag/push`, `crane tag`, `docker buildx imagetools create` or `skopeo copy` of the SHA-tagged image the build job pushed; remove the build from the promotion.",
	"tags": ["security", "supply-chain", "build-once"],
	"online": false,
}

findings contains f if {
	some b in pipeline.builds
	pipeline.promotion_role(b.entry)
	f := object.union(at(b), {"message": sprintf("job `%s` promotes an image to an environment but builds one instead of retagging the tested image", [b.entry.job_id])})
}

at(b) := {"file": b.entry.file, "path": b.at} if b.match == null

at(b) := {"file": b.entry.file, "path": b.at, "match": b.match} if b.match != null
