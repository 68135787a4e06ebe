package shiplint.rules.image_rebuilt

import data.shiplint.lib.pipeline
import rego.v1

metadata := {
	"id": "image-rebuilt",
	"title": "Image is built more than once",
	"severity": "error",
	"description": "The same image (registry/repository, tag ignored) is built and pushed by more than one job, workflow or call of a reusable workflow for the same event, or by a job that deploys to an environment: each environment gets its own build instead of the tested one. Matrix builds of one job count once; builds for pull requests only do not count.",
	"remediation": "Build and push the image once per commit, tagged with the SHA, in one job; let every later stage (and every environment) retag and deploy that tag instead of building again.",
	"tags": ["security", "supply-chain", "build-once"],
	"online": false,
}

# Every build site of a known image: [image, "automatic", site]. Automatic events (a push
# of a branch or a tag, a release, workflow_run) all build the commit they are about, so
# builds for any of them are builds of the same commit.
# (Per-platform builds pushed by digest are one image: a later job joins them.)
sites contains [image, t, site] if {
	some b in pipeline.release_builds
	not pipeline.by_digest(b.entry["with"])
	some image in images(b)
	ctx := pipeline.context(b.entry)
	not pipeline.external(ctx)
	some t0 in ctx.triggers
	not t0 in pipeline.pr_events
	not t0 in pipeline.manual_events
	t := "automatic"
	site := {
		"workflow": b.entry.workflow, "job": b.entry.job_id, "ci": b.entry.ci,
		"file": b.entry.file, "path": b.at, "match": b.match,
		"rank": rank(b.entry.workflow, ctx),
	}
}

# Builds for tag pushes and releases only come after the branch builds of the same
# commit (a tag is put on a commit already pushed): they are the rebuilds.
rank(wf_path, ctx) := 1 if pipeline.tag_release_only(wf_path, ctx)
else := 0

# Images by name, and by build target: `target: base` and `target: release` of one
# Dockerfile pushed to one repository are two images, not one built twice.
images(b) := {concat("#", [i, t]) | some i in named} if {
	t := trim_space(object.get(b.entry["with"], "target", ""))
	t != ""
	named := pipeline.built_images(b) | meta_images(b)
} else := pipeline.built_images(b) | meta_images(b)

meta_images(b) := {pipeline.image_name(i) | some i in m.images; pipeline.known_image(pipeline.image_name(i))} if {
	m := pipeline.meta_of(b)
} else := set()

groups contains [image, t] if {
	some [image, t, _] in sites
}

# Locations of a group, sorted (branch builds first, then file, path, match): the first
# is the original build.
ordered(image, t) := [x[1] | some x in ranked] if {
	locs := {loc(s) | some [i, t2, s] in sites; i == image; t2 == t}
	ranked := sort({[min_rank(image, t, y), y] | some y in locs})
}

min_rank(image, t, l) := min({s.rank | some [i, t2, s] in sites; i == image; t2 == t; loc(s) == l})

loc(s) := [s.file, s.path, object.get(s, "match", null)]

runs(image, t) := {[s.workflow, s.job, s.ci] | some [i, t2, s] in sites; i == image; t2 == t}

rebuilt contains [l, first, image] if {
	some [image, t] in groups
	count(runs(image, t)) > 1
	locs := ordered(image, t)
	count(locs) > 1
	first := locs[0]
	some i, l in locs
	i > 0
}

# One node built in several runs (a reusable workflow called once per environment).
rebuilt contains [l, l, image] if {
	some [image, t] in groups
	count(runs(image, t)) > 1
	locs := ordered(image, t)
	count(locs) == 1
	l := locs[0]
}

# One finding per build step, naming every image it rebuilds.
findings contains f if {
	some l in {x | some [x, y, _] in rebuilt; x != y}
	images := sort({i | some [x, y, i] in rebuilt; x == l; x != y})
	firsts := sort({y | some [x, y, _] in rebuilt; x == l; x != y})
	f := located(l, {
		"message": sprintf("image %s is built again here: it was already built for the same commit, so what is deployed is not what was tested", [names(images)]),
		"related": [object.union(located(firsts[0], {}), {"message": "the first build of this image"})],
	})
}

findings contains f if {
	some l in {x | some [x, y, _] in rebuilt; x == y}
	not l in {x | some [x, y, _] in rebuilt; x != y}
	images := sort({i | some [x, y, i] in rebuilt; x == l; x == y})
	f := located(l, {"message": sprintf("image %s is built once per call of this reusable workflow (for each environment) instead of once per commit", [names(images)])})
}

names(images) := concat(", ", [display(i) | some i in images])

display(i) := sprintf("`%s` (target `%s`)", split(i, "#")) if contains(i, "#")
else := sprintf("`%s`", [i])

located(l, extra) := object.union({"file": l[0], "path": l[1]}, extra) if l[2] == null

located(l, extra) := object.union({"file": l[0], "path": l[1], "match": l[2]}, extra) if l[2] != null

# A job that deploys to an environment and builds the image it deploys: every environment
# (every run of the job) gets its own build. Promotion jobs are `promotion-rebuilds`'; a
# step already reported above is not reported twice.
findings contains f if {
	some b in pipeline.release_builds
	job := pipeline.job_at[b.entry.workflow][b.entry.job_id]
	job.environment.name
	not pipeline.manual_only(pipeline.context(b.entry))
	{"workflow": b.entry.workflow, "job": b.entry.job_id} in pipeline.deploying_jobs
	not pipeline.promotion_role(b.entry)
	l := loc({"file": b.entry.file, "path": b.at, "match": b.match})
	not l in {x | some [x, _, _] in rebuilt}
	f := located(l, {"message": sprintf("job `%s` builds the image in the job that deploys it to environment `%s`: each environment gets its own build instead of the tested one", [b.entry.job_id, job.environment.name])})
}
