#!/usr/bin/env python3
"""A fake GitHub API for the org-sweep benchmark: a generated organization `bench-org` of
N repositories (the same shapes as tests/it/sweep.rs), every request delayed by a fixed
latency, served by a thread per connection.

  bench/fake_github.py --repos 500 --latency-ms 20 --port 0   # prints the URL it listens on

GET /_stats answers {"requests": N, "by_repo": {"repo-000": n, ...}} and resets nothing.
"""
import argparse
import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, parse_qs

ORG = "bench-org"

CI = """name: ci
on: [pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: someone/lint-action@v2
      - run: make test
"""

RELEASE = """name: deploy
on:
  push:
    branches: [main]
permissions:
  contents: read
jobs:
  deploy:
    runs-on: ubuntu-24.04
    environment: production
    steps:
      - uses: aws-actions/configure-aws-credentials@e3dd6a429d7300a6a4c196c26e071d42e0343502
        with:
          aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}
          aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
          aws-region: eu-west-1
      - run: aws ecs update-service --cluster prod --service api --force-new-deployment
"""


def workflows(i):
    files = {"ci.yml": CI}
    if i % 3 == 0:
        files["release.yml"] = RELEASE
    return files


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repos", type=int, default=500)
    ap.add_argument("--latency-ms", type=float, default=20)
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    lock = threading.Lock()
    stats = {"requests": 0, "by_repo": {}}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, *a):
            pass

        def reply(self, status, body, headers=()):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json; charset=utf-8")
            self.send_header("content-length", str(len(data)))
            self.send_header("x-ratelimit-limit", "5000")
            with lock:
                left = max(0, 5000 - stats["requests"])
            self.send_header("x-ratelimit-remaining", str(left))
            self.send_header("x-ratelimit-reset", "4102444800")
            for k, v in headers:
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            url = urlsplit(self.path)
            path = url.path
            if path == "/_stats":
                with lock:
                    snapshot = json.loads(json.dumps(stats))
                return self.reply(200, snapshot)
            with lock:
                stats["requests"] += 1
            time.sleep(args.latency_ms / 1000)
            if path == f"/orgs/{ORG}/repos":
                page = int(parse_qs(url.query).get("page", ["1"])[0])
                start, end = (page - 1) * 100, min(page * 100, args.repos)
                items = [
                    {"name": f"repo-{i:03}", "full_name": f"{ORG}/repo-{i:03}",
                     "owner": {"login": ORG}, "archived": False, "fork": False,
                     "default_branch": "main"}
                    for i in range(start, end)
                ]
                headers = []
                if end < args.repos:
                    host = self.headers.get("host")
                    headers.append(("link", f'<http://{host}/orgs/{ORG}/repos?type=all&per_page=100&page={page + 1}>; rel="next"'))
                return self.reply(200, items, headers)
            prefix = f"/repos/{ORG}/repo-"
            if not path.startswith(prefix):
                return self.reply(404, {"message": "Not Found"})
            num, sub = path[len(prefix):len(prefix) + 3], path[len(prefix) + 3:]
            i = int(num)
            with lock:
                stats["by_repo"][f"repo-{num}"] = stats["by_repo"].get(f"repo-{num}", 0) + 1
            files = workflows(i)
            if sub == "":
                return self.reply(200, {"name": f"repo-{num}", "owner": {"login": ORG},
                                        "default_branch": "main", "visibility": "public"})
            if sub == "/contents/.github/workflows":
                return self.reply(200, [{"name": f, "path": f".github/workflows/{f}", "type": "file"} for f in files])
            if sub.startswith("/git/trees/"):
                return self.reply(200, {"truncated": False, "tree": [
                    {"path": f".github/workflows/{f}", "type": "blob", "sha": f"blob-{f}"} for f in files]})
            if sub.startswith("/git/blobs/blob-"):
                f = sub[len("/git/blobs/blob-"):]
                if f in files:
                    return self.reply(200, {"encoding": "base64",
                                            "content": base64.b64encode(files[f].encode()).decode()})
            if sub.startswith("/contents/.github/workflows/"):
                f = sub.rsplit("/", 1)[1]
                if f in files:
                    return self.reply(200, {"type": "file", "encoding": "base64",
                                            "content": base64.b64encode(files[f].encode()).decode()})
            if sub == "/branches/main/protection":
                if i % 2 == 0:
                    return self.reply(404, {"message": "Branch not protected"})
                return self.reply(200, {"required_pull_request_reviews": {"required_approving_review_count": 1},
                                        "required_status_checks": {"strict": True, "contexts": ["test"]},
                                        "allow_force_pushes": {"enabled": False},
                                        "enforce_admins": {"enabled": True}})
            if sub == "/rules/branches/main":
                return self.reply(200, [])
            if sub == "/environments":
                return self.reply(200, {"total_count": 0, "environments": []})
            return self.reply(404, {"message": "Not Found"})

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
