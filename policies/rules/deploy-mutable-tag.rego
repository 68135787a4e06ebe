package shiplint.rules.deploy_mutable_tag

import data.shiplint.lib.pipeline
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
