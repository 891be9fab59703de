"""Fake GitHub, GitLab and Jira REST APIs on 127.0.0.1 for tests of everything in deliver/.

Each fake implements the documented endpoints Paved Road uses, with the platform's pagination
(GitHub: Link rel="next"; GitLab: Link plus x-next-page; Jira: startAt/maxResults/total), its
authentication header, and its error shapes. Every request is recorded (method, path, query,
headers, body) so a test can assert that no token ever travels in a body. Failures are injected
with `api.fail(...)`: a 403 on a fork, a 429 with Retry-After, a 5xx.

Use::

    api = GitHubApi(token="ghs_test")
    with serve(api) as base_url:
        ...   # GITHUB_API_URL=base_url

To fake another endpoint, subclass `FakeApi` and extend `routes()`.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

Json = Any


@dataclass(frozen=True)
class Request:
    """One request the fake received."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # names lower-cased
    body: str

    def json(self) -> Json:
        return json.loads(self.body) if self.body else None


@dataclass
class Reply:
    """What a route answers."""

    status: int
    data: Json = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Failure:
    """An injected failure: answers matching requests `times` times, then stops."""

    status: int
    method: str | None
    path: str | None  # a regular expression searched in the path
    headers: dict[str, str]
    data: Json
    times: int
    skip: int = 0  # matching requests to let through first

    def matches(self, request: Request) -> bool:
        if self.times <= 0:
            return False
        if self.method and request.method != self.method:
            return False
        if self.path and re.search(self.path, request.path) is None:
            return False
        if self.skip > 0:
            self.skip -= 1
            return False
        return True


Route = tuple[str, str, Callable[..., Reply]]


class FakeApi:
    """Base of every fake: records requests, injects failures, dispatches to routes."""

    prefix = ""

    def __init__(self, token: str = "test-token-0123456789", page_cap: int = 100) -> None:
        self.token = token
        self.page_cap = page_cap  # the platform's largest page; lower it to force pagination
        self.requests: list[Request] = []
        self.failures: list[Failure] = []
        self.lock = threading.Lock()
        self.base_url = ""

    def fail(
        self,
        status: int,
        *,
        method: str | None = None,
        path: str | None = None,
        headers: dict[str, str] | None = None,
        data: Json = None,
        times: int = 1,
        skip: int = 0,
    ) -> None:
        """Answer `times` matching requests (after letting `skip` through) with this status."""
        body = data if data is not None else {"message": f"injected failure {status}"}
        self.failures.append(Failure(status, method, path, headers or {}, body, times, skip))

    def routes(self) -> list[Route]:
        return []

    def authorized(self, request: Request) -> bool:
        return True

    def handle(self, request: Request) -> Reply:
        with self.lock:
            self.requests.append(request)
            for failure in self.failures:
                if failure.matches(request):
                    failure.times -= 1
                    return Reply(failure.status, failure.data, dict(failure.headers))
            if not self.authorized(request):
                return Reply(401, {"message": "Bad credentials"})
            return self._dispatch(request)

    def _dispatch(self, request: Request) -> Reply:
        path = request.path.removeprefix(self.prefix)
        for method, pattern, action in self.routes():
            match = re.fullmatch(pattern, path)
            if match and method == request.method:
                return action(request, *match.groups())
        return Reply(404, {"message": "Not Found"})

    def bodies(self) -> str:
        """Return every request body received, joined (for "no token in any body" checks)."""
        return "\n".join(r.body for r in self.requests)

    def count(self, method: str, pattern: str) -> int:
        """Return how many requests of this method hit a path matching the pattern."""
        return sum(1 for r in self.requests if r.method == method and re.search(pattern, r.path))

    def page(self, request: Request, items: list[Json], default: int = 30) -> Reply:
        """Answer one page of `items` with Link (and GitLab-style x-*) pagination headers."""
        per_page = min(int(request.query.get("per_page", default)), self.page_cap)
        page = max(1, int(request.query.get("page", 1)))
        chunk = items[(page - 1) * per_page : page * per_page]
        headers = {"x-page": str(page), "x-per-page": str(per_page), "x-total": str(len(items))}
        if page * per_page < len(items):
            query = dict(request.query, page=str(page + 1), per_page=str(per_page))
            encoded = "&".join(f"{k}={v}" for k, v in query.items())
            headers["link"] = f'<{self.base_url}{request.path}?{encoded}>; rel="next"'
            headers["x-next-page"] = str(page + 1)
        else:
            headers["x-next-page"] = ""
        return Reply(200, chunk, headers)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        return

    def _serve(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length).decode("utf-8") if length else ""
        request = Request(
            method=self.command,
            path=parts.path,
            query=dict(parse_qsl(parts.query, keep_blank_values=True)),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        reply = self.server.api.handle(request)
        payload = b"" if reply.data is None else json.dumps(reply.data).encode("utf-8")
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if payload:
            self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, api: FakeApi) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.api = api


@contextmanager
def serve(api: FakeApi) -> Iterator[str]:
    """Run the fake on 127.0.0.1 on a free port; yield its API base URL."""
    server = _Server(api)
    host, port = server.server_address[:2]
    api.base_url = f"http://{host!s}:{port}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield api.base_url + api.prefix
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


# --- GitHub ---------------------------------------------------------------------------------

_REPO = r"/repos/([^/]+/[^/]+)"


class GitHubApi(FakeApi):
    """GitHub REST: issue comments (PR comments), issues, reactions."""

    def __init__(self, token: str = "ghs_faketoken0123456789", page_cap: int = 100) -> None:
        super().__init__(token, page_cap)
        self.issues: dict[int, dict[str, Json]] = {}
        self.comments: dict[int, dict[str, Json]] = {}
        self.reactions: dict[int, list[dict[str, Json]]] = {}
        self._numbers = itertools.count(1)
        self._ids = itertools.count(1001)

    def authorized(self, request: Request) -> bool:
        return request.headers.get("authorization") == f"Bearer {self.token}"

    def routes(self) -> list[Route]:
        return [
            ("GET", _REPO + r"/issues/(\d+)/comments", self.list_comments),
            ("POST", _REPO + r"/issues/(\d+)/comments", self.create_comment),
            ("PATCH", _REPO + r"/issues/comments/(\d+)", self.update_comment),
            ("GET", _REPO + r"/issues/comments/(\d+)/reactions", self.list_reactions),
            ("GET", _REPO + r"/issues", self.list_issues),
            ("POST", _REPO + r"/issues", self.create_issue),
            ("PATCH", _REPO + r"/issues/(\d+)", self.update_issue),
        ]

    def list_comments(self, request: Request, repo: str, number: str) -> Reply:
        items = [c for c in self.comments.values() if c["issue_number"] == int(number)]
        return self.page(request, items)

    def create_comment(self, request: Request, repo: str, number: str) -> Reply:
        body = request.json() or {}
        if not isinstance(body.get("body"), str):
            return Reply(422, {"message": "Validation Failed"})
        if len(body["body"]) > 65536:
            return Reply(422, {"message": "Validation Failed: body is too long"})
        comment_id = next(self._ids)
        comment = {
            "id": comment_id,
            "issue_number": int(number),
            "body": body["body"],
            "user": {"login": "github-actions[bot]"},
            "html_url": f"https://github.com/{repo}/pull/{number}#issuecomment-{comment_id}",
        }
        self.comments[comment_id] = comment
        return Reply(201, comment)

    def update_comment(self, request: Request, repo: str, comment_id: str) -> Reply:
        comment = self.comments.get(int(comment_id))
        if comment is None:
            return Reply(404, {"message": "Not Found"})
        comment["body"] = (request.json() or {})["body"]
        return Reply(200, comment)

    def list_reactions(self, request: Request, repo: str, comment_id: str) -> Reply:
        return self.page(request, self.reactions.get(int(comment_id), []))

    def list_issues(self, request: Request, repo: str) -> Reply:
        state = request.query.get("state", "open")
        wanted = {x for x in request.query.get("labels", "").split(",") if x}
        items = [
            i
            for i in self.issues.values()
            if (state == "all" or i["state"] == state)
            and wanted <= {label["name"] for label in i["labels"]}
        ]
        return self.page(request, items)

    def create_issue(self, request: Request, repo: str) -> Reply:
        body = request.json() or {}
        if not body.get("title"):
            return Reply(422, {"message": "Validation Failed: title is missing"})
        number = next(self._numbers)
        issue = {
            "number": number,
            "title": body["title"],
            "body": body.get("body", ""),
            "state": "open",
            "state_reason": None,
            "labels": [{"name": n} for n in body.get("labels", [])],
            "assignees": [{"login": n} for n in body.get("assignees", [])],
            "html_url": f"https://github.com/{repo}/issues/{number}",
        }
        self.issues[number] = issue
        return Reply(201, issue)

    def update_issue(self, request: Request, repo: str, number: str) -> Reply:
        issue = self.issues.get(int(number))
        if issue is None:
            return Reply(404, {"message": "Not Found"})
        body = request.json() or {}
        for key in ("title", "body", "state", "state_reason"):
            if key in body:
                issue[key] = body[key]
        if "labels" in body:
            issue["labels"] = [{"name": n} for n in body["labels"]]
        return Reply(200, issue)

    def issue_comments(self, number: int) -> list[str]:
        """Return the bodies of the comments on one issue, oldest first."""
        return [c["body"] for c in self.comments.values() if c["issue_number"] == number]


# --- GitLab ---------------------------------------------------------------------------------

_PROJECT = r"/projects/([^/]+)"


class GitLabApi(FakeApi):
    """GitLab REST v4: merge request notes, project issues and their notes."""

    prefix = "/api/v4"

    def __init__(self, token: str = "glpat-faketoken0123456789", page_cap: int = 100) -> None:
        super().__init__(token, page_cap)
        self.issues: dict[int, dict[str, Json]] = {}
        self.mr_notes: dict[int, dict[str, Json]] = {}
        self.issue_notes: dict[int, list[str]] = {}
        self._iids = itertools.count(1)
        self._ids = itertools.count(5001)

    def authorized(self, request: Request) -> bool:
        headers = request.headers
        return self.token in (headers.get("private-token"), headers.get("job-token"))

    def routes(self) -> list[Route]:
        return [
            ("GET", _PROJECT + r"/merge_requests/(\d+)/notes", self.list_notes),
            ("POST", _PROJECT + r"/merge_requests/(\d+)/notes", self.create_note),
            ("PUT", _PROJECT + r"/merge_requests/(\d+)/notes/(\d+)", self.update_note),
            ("GET", _PROJECT + r"/issues", self.list_issues),
            ("POST", _PROJECT + r"/issues", self.create_issue),
            ("PUT", _PROJECT + r"/issues/(\d+)", self.update_issue),
            ("POST", _PROJECT + r"/issues/(\d+)/notes", self.create_issue_note),
        ]

    def list_notes(self, request: Request, project: str, iid: str) -> Reply:
        items = [n for n in self.mr_notes.values() if n["noteable_iid"] == int(iid)]
        return self.page(request, items, default=20)

    def create_note(self, request: Request, project: str, iid: str) -> Reply:
        body = (request.json() or {}).get("body")
        if not isinstance(body, str) or not body:
            return Reply(400, {"message": "400 Bad request - body is missing"})
        note_id = next(self._ids)
        note = {"id": note_id, "noteable_iid": int(iid), "body": body, "system": False}
        self.mr_notes[note_id] = note
        return Reply(201, note)

    def update_note(self, request: Request, project: str, iid: str, note_id: str) -> Reply:
        note = self.mr_notes.get(int(note_id))
        if note is None or note["noteable_iid"] != int(iid):
            return Reply(404, {"message": "404 Not found"})
        note["body"] = (request.json() or {})["body"]
        return Reply(200, note)

    def list_issues(self, request: Request, project: str) -> Reply:
        state = request.query.get("state", "all")
        wanted = {x for x in request.query.get("labels", "").split(",") if x}
        items = [
            i
            for i in self.issues.values()
            if (state == "all" or i["state"] == state) and wanted <= set(i["labels"])
        ]
        return self.page(request, items, default=20)

    def create_issue(self, request: Request, project: str) -> Reply:
        body = request.json() or {}
        if not body.get("title"):
            return Reply(400, {"message": {"title": ["can't be blank"]}})
        iid = next(self._iids)
        labels = body.get("labels", "")
        issue = {
            "iid": iid,
            "title": body["title"],
            "description": body.get("description", ""),
            "state": "opened",
            "labels": [x for x in labels.split(",") if x] if isinstance(labels, str) else labels,
            "web_url": f"https://gitlab.example/{project}/-/issues/{iid}",
        }
        self.issues[iid] = issue
        return Reply(201, issue)

    def update_issue(self, request: Request, project: str, iid: str) -> Reply:
        issue = self.issues.get(int(iid))
        if issue is None:
            return Reply(404, {"message": "404 Not found"})
        body = request.json() or {}
        event = body.get("state_event")
        if event == "close":
            issue["state"] = "closed"
        elif event == "reopen":
            issue["state"] = "opened"
        for key in ("title", "description"):
            if key in body:
                issue[key] = body[key]
        return Reply(200, issue)

    def create_issue_note(self, request: Request, project: str, iid: str) -> Reply:
        body = (request.json() or {}).get("body", "")
        self.issue_notes.setdefault(int(iid), []).append(body)
        return Reply(201, {"id": next(self._ids), "body": body})


# --- Jira -----------------------------------------------------------------------------------


class JiraApi(FakeApi):
    """Jira REST v2: JQL search, issues, transitions, comments.

    Cloud (the default) answers /search/jql with nextPageToken pages and has removed /search;
    Data Center (`cloud=False`) answers only /search with startAt/maxResults/total.
    """

    def __init__(
        self,
        user: str = "bot@example.com",
        token: str = "jira-faketoken-0123456789",
        *,
        cloud: bool = True,
    ) -> None:
        super().__init__(token, page_cap=50)
        self.user = user
        self.cloud = cloud
        self.issues: dict[str, dict[str, Json]] = {}
        self.comments: dict[str, list[str]] = {}
        self._ids = itertools.count(10001)

    def authorized(self, request: Request) -> bool:
        expected = base64.b64encode(f"{self.user}:{self.token}".encode()).decode()
        return request.headers.get("authorization") == f"Basic {expected}"

    def routes(self) -> list[Route]:
        return [
            ("GET", r"/rest/api/2/search/jql", self.search_jql),
            ("GET", r"/rest/api/2/search", self.search),
            ("POST", r"/rest/api/2/issue", self.create_issue),
            ("PUT", r"/rest/api/2/issue/([A-Z]+-\d+)", self.update_issue),
            ("GET", r"/rest/api/2/issue/([A-Z]+-\d+)/transitions", self.transitions),
            ("POST", r"/rest/api/2/issue/([A-Z]+-\d+)/transitions", self.transition),
            ("POST", r"/rest/api/2/issue/([A-Z]+-\d+)/comment", self.comment),
        ]

    def _matching(self, request: Request) -> list[Json]:
        jql = request.query.get("jql", "")
        project = re.search(r'project\s*=\s*"?([A-Z]+)"?', jql)
        label = re.search(r'labels\s*=\s*"?([\w-]+)"?', jql)
        return [
            i
            for i in self.issues.values()
            if (not project or i["fields"]["project"]["key"] == project.group(1))
            and (not label or label.group(1) in i["fields"]["labels"])
        ]

    def search_jql(self, request: Request) -> Reply:
        if not self.cloud:
            return Reply(404, {"errorMessages": ["null for uri: /rest/api/2/search/jql"]})
        items = self._matching(request)
        token = request.query.get("nextPageToken", "")
        start = int(base64.b64decode(token).decode()) if token else 0
        size = min(int(request.query.get("maxResults", 50)), self.page_cap)
        data: dict[str, Json] = {"issues": items[start : start + size]}
        if start + size < len(items):
            data["nextPageToken"] = base64.b64encode(str(start + size).encode()).decode()
        data["isLast"] = "nextPageToken" not in data
        return Reply(200, data)

    def search(self, request: Request) -> Reply:
        if self.cloud:
            return Reply(410, {"errorMessages": ["The requested API has been removed."]})
        items = self._matching(request)
        start = int(request.query.get("startAt", 0))
        size = min(int(request.query.get("maxResults", 50)), self.page_cap)
        page = items[start : start + size]
        data = {"startAt": start, "maxResults": size, "total": len(items), "issues": page}
        return Reply(200, data)

    def create_issue(self, request: Request) -> Reply:
        fields = (request.json() or {}).get("fields", {})
        if not fields.get("summary") or not fields.get("project", {}).get("key"):
            return Reply(400, {"errorMessages": [], "errors": {"summary": "required"}})
        key = f"{fields['project']['key']}-{len(self.issues) + 1}"
        issue = {
            "id": str(next(self._ids)),
            "key": key,
            "fields": {
                "project": {"key": fields["project"]["key"]},
                "summary": fields["summary"],
                "description": fields.get("description", ""),
                "labels": list(fields.get("labels", [])),
                "status": {"name": "To Do", "statusCategory": {"key": "new"}},
            },
        }
        self.issues[key] = issue
        return Reply(201, {"id": issue["id"], "key": key, "self": f"{self.base_url}/{key}"})

    def update_issue(self, request: Request, key: str) -> Reply:
        issue = self.issues.get(key)
        if issue is None:
            return Reply(404, {"errorMessages": ["Issue does not exist"], "errors": {}})
        issue["fields"].update((request.json() or {}).get("fields", {}))
        return Reply(204)

    def transitions(self, request: Request, key: str) -> Reply:
        return Reply(
            200,
            {
                "transitions": [
                    {"id": "11", "name": "To Do", "to": {"statusCategory": {"key": "new"}}},
                    {"id": "31", "name": "Done", "to": {"statusCategory": {"key": "done"}}},
                ]
            },
        )

    def transition(self, request: Request, key: str) -> Reply:
        issue = self.issues.get(key)
        target = ((request.json() or {}).get("transition") or {}).get("id")
        if issue is None or target not in ("11", "31"):
            return Reply(400, {"errorMessages": ["bad transition"], "errors": {}})
        done = target == "31"
        issue["fields"]["status"] = {
            "name": "Done" if done else "To Do",
            "statusCategory": {"key": "done" if done else "new"},
        }
        return Reply(204)

    def comment(self, request: Request, key: str) -> Reply:
        body = (request.json() or {}).get("body", "")
        self.comments.setdefault(key, []).append(body)
        return Reply(201, {"id": str(next(self._ids)), "body": body})
