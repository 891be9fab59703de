"""The one HTTP client against fake platform APIs: auth, pagination, retries, redaction."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from tests.deliver.fakes import GitHubApi, GitLabApi, JiraApi, serve

from pavedroad.deliver import http
from pavedroad.deliver.http import ApiClient, ApiError
from pavedroad.deliver.jira import JiraIssues
from pavedroad.deliver.platform import Connection, connect, detect, pull_request_number
from pavedroad.errors import ServiceError, UserError


def test_github_headers_and_link_pagination() -> None:
    api = GitHubApi(page_cap=2)
    for n in range(5):
        api.comments[n] = {"id": n, "issue_number": 7, "body": f"c{n}"}
    with serve(api) as url:
        client = ApiClient(url, api.token, scheme="github")
        bodies = [c["body"] for c in client.paginate("/repos/o/r/issues/7/comments")]
    assert bodies == ["c0", "c1", "c2", "c3", "c4"]
    assert len(api.requests) == 3
    first = api.requests[0].headers
    assert first["authorization"] == f"Bearer {api.token}"
    assert first["accept"] == "application/vnd.github+json"
    assert first["x-github-api-version"] == http.GITHUB_API_VERSION


def test_gitlab_private_and_job_token_headers() -> None:
    api = GitLabApi()
    with serve(api) as url:
        ApiClient(url, api.token, scheme="gitlab").get("/projects/1/issues")
        job = ApiClient(url, api.token, scheme="gitlab", gitlab_header="JOB-TOKEN")
        job.get("/projects/1/issues")
    assert api.requests[0].headers["private-token"] == api.token
    assert api.requests[1].headers["job-token"] == api.token
    assert api.requests[0].path == "/api/v4/projects/1/issues"


def test_gitlab_x_next_page_without_link(monkeypatch: pytest.MonkeyPatch) -> None:
    api = GitLabApi(page_cap=1)
    for iid in (1, 2, 3):
        api.issues[iid] = {"iid": iid, "state": "opened", "labels": ["pavedroad"]}
    original = api.page

    def no_link(*args: object, **kwargs: object) -> object:
        reply = original(*args, **kwargs)  # type: ignore[arg-type]
        reply.headers.pop("link", None)
        return reply

    monkeypatch.setattr(api, "page", no_link)
    with serve(api) as url:
        client = ApiClient(url, api.token, scheme="gitlab")
        listed = client.paginate("/projects/acme%2Fshop/issues", {"labels": "pavedroad"})
        iids = [i["iid"] for i in listed]
    assert iids == [1, 2, 3]
    assert {r.path for r in api.requests} == {"/api/v4/projects/acme%2Fshop/issues"}
    assert [r.query["page"] for r in api.requests[1:]] == ["2", "3"]
    assert all(r.query["labels"] == "pavedroad" for r in api.requests)


@pytest.mark.parametrize("cloud", [True, False], ids=["cloud-token-pages", "dc-startat"])
def test_jira_basic_auth_and_both_paginations(cloud: bool) -> None:
    api = JiraApi(cloud=cloud)
    api.page_cap = 2
    for n in range(5):
        key = f"SEC-{n + 1}"
        fields = {"project": {"key": "SEC"}, "labels": ["pavedroad"], "summary": key}
        api.issues[key] = {"key": key, "fields": fields}
    with serve(api) as url:
        client = ApiClient(url, api.token, scheme="jira", user=api.user)
        conn = Connection("jira", client, "SEC")
        keys = [t.key for t in JiraIssues(conn).list("pavedroad")]
    assert keys == ["SEC-1", "SEC-2", "SEC-3", "SEC-4", "SEC-5"]
    expected = "Basic " + base64.b64encode(f"{api.user}:{api.token}".encode()).decode()
    assert {r.headers["authorization"] for r in api.requests} == {expected}
    if cloud:
        assert [r.path for r in api.requests] == ["/rest/api/2/search/jql"] * 3
        assert "nextPageToken" in api.requests[2].query
    else:
        assert [r.query.get("startAt") for r in api.requests] == [None, "0", "2", "4"]


def test_429_with_retry_after_is_retried_after_the_asked_wait() -> None:
    api = GitHubApi()
    api.fail(429, headers={"Retry-After": "1"})
    waits: list[float] = []
    with serve(api) as url:
        client = ApiClient(url, api.token, scheme="github", sleep=waits.append)
        assert client.get("/repos/o/r/issues") == []
    assert waits == [1.0]
    assert len(api.requests) == 2


def test_403_rate_limited_is_retried_but_plain_403_is_not() -> None:
    api = GitHubApi()
    api.fail(403, headers={"x-ratelimit-remaining": "0", "Retry-After": "2"})
    api.fail(403, path="/comments", data={"message": "Resource not accessible by integration"})
    waits: list[float] = []
    with serve(api) as url:
        client = ApiClient(url, api.token, scheme="github", sleep=waits.append)
        client.get("/repos/o/r/issues")
        with pytest.raises(ApiError) as caught:
            client.post("/repos/o/r/issues/3/comments", {"body": "x"})
    assert waits == [2.0]
    assert caught.value.status == 403
    assert "Resource not accessible by integration" in str(caught.value)


def test_5xx_exhausted_raises_service_error_naming_method_path_status() -> None:
    api = GitHubApi()
    api.fail(502, times=10, data={"message": f"upstream saw {api.token}"})
    waits: list[float] = []
    with serve(api) as url:
        client = ApiClient(url, api.token, scheme="github", max_retries=3, sleep=waits.append)
        with pytest.raises(ServiceError) as caught:
            client.patch("/repos/o/r/issues/1", {"state": "closed"})
    message = str(caught.value)
    assert message.startswith("PATCH /repos/o/r/issues/1: HTTP 502")
    assert "gave up after 4 attempt(s)" in message
    assert api.token not in message and http.REDACTED in message
    assert waits == [http.BACKOFF_S, 2 * http.BACKOFF_S, 4 * http.BACKOFF_S]  # doubling
    assert caught.value.exit_code == 3


def test_a_wait_longer_than_the_bound_fails_at_once() -> None:
    api = GitHubApi()
    api.fail(429, headers={"Retry-After": "3600"})
    with serve(api) as url:
        client = ApiClient(url, api.token, scheme="github", sleep=lambda s: None)
        with pytest.raises(ApiError, match="asked to wait 3600 s"):
            client.get("/repos/o/r/issues")
    assert len(api.requests) == 1


def test_connection_refused_is_retried_then_service_error() -> None:
    api = GitHubApi()
    with serve(api) as url:
        pass  # the port is closed again
    client = ApiClient(url, "tok-123456", scheme="github", max_retries=1, sleep=lambda s: None)
    with pytest.raises(ApiError, match="no response: could not connect"):
        client.get("/repos/o/r/issues")


def test_next_page_on_another_host_is_refused() -> None:
    api = GitHubApi(page_cap=1)
    api.comments = {1: {"id": 1, "issue_number": 1}, 2: {"id": 2, "issue_number": 1}}
    with serve(api) as url:
        api.base_url = "http://localhost:1"  # the Link header now names another origin
        client = ApiClient(url, api.token, scheme="github")
        with pytest.raises(ApiError, match="another host"):
            list(client.paginate("/repos/o/r/issues/1/comments"))
    assert len(api.requests) == 1


def test_plain_http_is_refused_off_this_machine() -> None:
    with pytest.raises(UserError, match="not an https:// URL"):
        ApiClient("http://api.example.com", "t", scheme="github")


def test_platform_from_ci_variables() -> None:
    env = {"GITHUB_REPOSITORY": "acme/shop", "GITHUB_TOKEN": "tok", "GITHUB_ACTIONS": "true"}
    conn = connect(env=env)
    assert (conn.platform, conn.project_path) == ("github", "/repos/acme/shop")
    assert conn.client.base_url == "https://api.github.com"
    gitlab = {"CI_API_V4_URL": "https://gl.example/api/v4", "CI_PROJECT_ID": "g/p"}
    conn = connect(env={**gitlab, "CI_JOB_TOKEN": "job"})
    assert (conn.platform, conn.project_path) == ("gitlab", "/projects/g%2Fp")
    with pytest.raises(UserError, match="JIRA_URL is not set"):
        connect("jira", env={})
    with pytest.raises(UserError, match="set PAVED_GITHUB_TOKEN or GITHUB_TOKEN"):
        connect(env={"GITHUB_REPOSITORY": "a/b"})
    with pytest.raises(UserError, match="--platform"):
        detect({})


def test_pr_number_from_event_payloads(tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 12}}))
    assert pull_request_number({"GITHUB_EVENT_PATH": str(event)}) == 12
    event.write_text(json.dumps({"workflow_run": {"pull_requests": [{"number": 34}]}}))
    assert pull_request_number({"GITHUB_EVENT_PATH": str(event)}) == 34
    assert pull_request_number({"CI_MERGE_REQUEST_IID": "56"}) == 56
    event.write_text(json.dumps({"push": {}}))
    assert pull_request_number({"GITHUB_EVENT_PATH": str(event)}) is None
