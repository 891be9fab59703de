"""Jira: issues of one project as tickets, through the REST API v2.

Endpoints (https://developer.atlassian.com/cloud/jira/platform/rest/v2/): search by JQL
(Cloud: /search/jql with nextPageToken; Data Center: /search with startAt/maxResults); create
an issue; edit summary and description; list and run transitions (closing goes to a status in
the "done" category, reopening to one in "new" or "in progress"); add a comment. Plain-text
bodies: v2 takes wiki text where v3 would need its document format.
"""

from __future__ import annotations

from typing import Any

from pavedroad.deliver.http import ApiClient, ApiError
from pavedroad.deliver.interface import Ticket
from pavedroad.deliver.platform import Connection
from pavedroad.errors import ServiceError

API = "/rest/api/2"
ISSUE_TYPE = "Task"


class JiraIssues:
    """Jira issues of one project."""

    def __init__(self, conn: Connection) -> None:
        self._client: ApiClient = conn.client
        self._project = conn.project
        self._site = conn.client.base_url

    def list(self, label: str) -> list[Ticket]:
        """Return every issue of the project with this label, in any status.

        Jira Cloud answers only /search/jql (token pages); Data Center only /search (startAt).
        """
        jql = f'project = "{self._project}" AND labels = "{label}" ORDER BY created ASC'
        params: dict[str, Any] = {"jql": jql, "fields": "summary,description,status"}
        try:
            found = list(self._client.paginate(f"{API}/search/jql", params))
        except ApiError as exc:
            if exc.status != 404:
                raise
            found = list(self._client.paginate(f"{API}/search", {**params, "startAt": 0}))
        return [self._ticket(i) for i in found]

    def create(self, title: str, body: str, labels: tuple[str, ...]) -> Ticket:
        """Create an issue in the project."""
        fields = {
            "project": {"key": self._project},
            "summary": title,
            "description": body,
            "issuetype": {"name": ISSUE_TYPE},
            "labels": list(labels),
        }
        created = self._client.post(f"{API}/issue", {"fields": fields})
        key = str(created["key"])
        return Ticket(key, title, body, True, f"{self._site}/browse/{key}")

    def update(self, ticket: Ticket, title: str, body: str) -> None:
        """Replace the summary and description."""
        fields = {"summary": title, "description": body}
        self._client.put(f"{API}/issue/{ticket.key}", {"fields": fields})

    def close(self, ticket: Ticket, comment: str) -> None:
        """Comment, then move the issue to a done status."""
        self._comment(ticket, comment)
        self._transition(ticket, ("done",))

    def reopen(self, ticket: Ticket, comment: str) -> None:
        """Comment, then move the issue back to a to-do (or in-progress) status."""
        self._comment(ticket, comment)
        self._transition(ticket, ("new", "indeterminate"))

    def _comment(self, ticket: Ticket, body: str) -> None:
        self._client.post(f"{API}/issue/{ticket.key}/comment", {"body": body})

    def _transition(self, ticket: Ticket, categories: tuple[str, ...]) -> None:
        path = f"{API}/issue/{ticket.key}/transitions"
        found = self._client.get(path) or {}
        for transition in found.get("transitions", []):
            category = transition.get("to", {}).get("statusCategory", {}).get("key")
            if category in categories:
                self._client.post(path, {"transition": {"id": transition["id"]}})
                return
        raise ServiceError(
            f"GET {path}: no transition to a {' or '.join(categories)} status; "
            "allow one in the project's workflow"
        )

    def _ticket(self, item: Any) -> Ticket:
        fields = item.get("fields") or {}
        category = ((fields.get("status") or {}).get("statusCategory") or {}).get("key")
        key = str(item["key"])
        return Ticket(
            key=key,
            title=str(fields.get("summary") or ""),
            body=str(fields.get("description") or ""),
            is_open=category != "done",
            url=f"{self._site}/browse/{key}",
        )
