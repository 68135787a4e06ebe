package shiplint.rules.image_tag_not_sha

import data.shiplint.lib.pipeline
import rego.v1

metadata := {
	"id": "image-tag-not-sha",
	"title": "Built image is not tagged with the commit SHA",
	"severity": "error",
	"description": "A pushed image gets no tag derived from the commit SHA (`github.sha`, the pull request head SHA, a workflow_call input every caller sets from one of those, `docker/metadata-action` `type=sha`): only tags proven mutable such as `latest`, a branch name or a run number.",
	"remediation": "Tag every pushed image with the commit SHA (`:${{ github.sha }}`, or `type=sha,format=long` in docker/metadata-action) and refer to that tag downstream; add environment labels later by retagging.",
	"tags": ["security", "supply-chain", "traceability"],
	"online": false,
}

# Tag classifications of a build's plain references.
kinds(b) := {pipeline.tag_kind(pipeline.image_tag(r)) | some r in b.refs}

# Plain tags (not from docker/metadata-action), every one proven mutable, per node (a
# step run in several contexts is one finding listing every tag).
bad contains [loc, tag] if {
	some b in pipeline.release_builds
	not tags_from_steps(b.meta)
	count(b.refs) > 0
	every k in kinds(b) {
		k == "mutable"
	}
	not version_ref_only(b)
	loc := location(b)
	some r in b.refs
	tag := pipeline.image_tag(r)
}

# An image built by an earlier job and loaded from a file is tagged where it is pushed.
bad contains [loc, tag] if {
	some p in pipeline.loaded_pushes
	every ref in p.refs {
		pipeline.tag_kind(pipeline.image_tag(ref)) == "mutable"
	}
	not version_ref_only(p)
	loc := {"file": p.entry.file, "path": p.at}
	some r in p.refs
	tag := pipeline.image_tag(r)
}

# Tags computed by an earlier step (a metadata step's `outputs.tags`) are judged through
# that step; a registry from a login step's output says nothing about the tag.
tags_from_steps(meta) if contains(regex.replace(meta, `\$\{\{\s*steps\.[A-Za-z0-9_-]+\.outputs\.registry\s*\}\}`, ""), "steps.")

findings contains f if {
	some loc in {l | some [l, _] in bad}
	tags := sort({t | some [l, t] in bad; l == loc})
	f := object.union(loc, {
		"message": sprintf("the image is pushed only with tags that name a different image over time (%s), none derived from the commit SHA", [concat(", ", [sprintf("`%s`", [t]) | some t in tags])]),
	})
}

# docker/metadata-action without a SHA tag, whose tags are proven mutable.
findings contains f if {
	some b in pipeline.release_builds
	not pipeline.external(pipeline.context(b.entry))
	m := pipeline.meta_of(b)
	not regex.match(pipeline.sha_pattern, m.tags)
	meta_mutable(m.tags)
	f := {
		"message": "docker/metadata-action produces no tag derived from the commit SHA (add `type=sha,format=long`), only branch, `latest` or run-number tags",
		"file": b.entry.file,
		"path": array.concat(b.entry.path, ["with", "tags"]),
	}
}

# docker/metadata-action whose tags are switched on per ref (`enable=${{ github.ref ==
# 'refs/heads/<branch>' }}`): on a push of a branch the workflow runs for, the tags left
# enabled are all mutable (raw literals, branch names, run numbers), none from the SHA.
switched_bad contains [b.entry.file, array.concat(b.entry.path, ["with", "tags"]), branch, enabled] if {
	some b in pipeline.release_builds
	not pipeline.external(pipeline.context(b.entry))
	m := pipeline.meta_of(b)
	contains(m.tags, "enable=")
	"push" in pipeline.context(b.entry).triggers
	wf := pipeline.workflow_at[pipeline.root_workflow(b.entry.workflow, pipeline.context(b.entry))]
	lines := [trim_space(l) | some l in split(m.tags, "\n"); trim_space(l) != ""]
	every l in lines {
		known_switch(l)
	}
	some branch in object.get(object.get(wf.triggers, "push", {}), "branches", [])
	regex.match(`^[A-Za-z0-9_./-]+$`, branch)
	enabled := [l | some l in lines; enabled_on(l, branch); produces_on_branch(l)]
	count(enabled) > 0
	every l in enabled {
		mutable_meta_tag(l)
	}
}

# One finding per step, for the first such branch.
findings contains f if {
	some [file, path] in {[x, y] | some [x, y, _, _] in switched_bad}
	[_, _, branch, enabled] := sort([[x, y, br, en] | some [x, y, br, en] in switched_bad; x == file; y == path])[0]
	f := {
		"message": sprintf("docker/metadata-action produces no tag derived from the commit SHA on a push to `%s` (only %s): add `type=sha,format=long` enabled for every ref", [branch, concat(", ", [sprintf("`%s`", [l]) | some l in enabled])]),
		"file": file,
		"path": path,
	}
}

# A tag line with no `enable=`, or one that tests the ref against a literal.
known_switch(l) if not contains(l, "enable=")

known_switch(l) if regex.match(`enable=\$\{\{\s*(github\.ref\s*==\s*'refs/heads/[^']+'|startsWith\(github\.(event\.)?ref,\s*'refs/tags/[^']*'\))\s*\}\}\s*$`, l)

enabled_on(l, _) if not contains(l, "enable=")

enabled_on(l, branch) if contains(l, sprintf("github.ref == 'refs/heads/%s'", [branch]))

# Tag types that yield nothing on a branch push (versions, tag patterns, pull requests).
produces_on_branch(l) if not regex.match(`type=(semver|pep440|match)|event=(tag|pr)`, l)

mutable_meta_tag(l) if {
	not regex.match(pipeline.sha_pattern, l)
	not contains(l, "{{sha}}")
	regex.match(`^type=(raw,value=[A-Za-z0-9_.-]*(\$\{\{\s*github\.run_(number|id)\s*\}\}[A-Za-z0-9_.-]*)*|ref,event=branch|schedule)(,|$)`, l)
}

location(b) := {"file": b.entry.file, "path": array.concat(b.entry.path, ["with", "tags"])} if b.match == null

location(b) := {"file": b.entry.file, "path": b.at, "match": b.match} if b.match != null

# The metadata-action default tags (no `tags:`) are branch / PR / tag names.
meta_mutable(tags) if {
	trim_space(tags) == ""
}

meta_mutable(tags) if {
	trim_space(tags) != ""
	not regex.match(`(?i)semver|pep440|event=tag|type=match|\$\{\{`, tags)
}

# `github.ref_name` on tag pushes / releases names a version: not proven mutable.
version_ref_only(b) if {
	some r in b.refs
	regex.match(`github\.ref_name|GITHUB_REF_NAME`, r)
	pipeline.tag_release_only(b.entry.workflow, pipeline.context(b.entry))
}
