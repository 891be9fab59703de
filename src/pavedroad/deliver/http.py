"""The one HTTP client for every platform API (GitHub, GitLab, Jira), built on httpx.

Every request authenticates the platform's way, retries rate limits (429, or 403 with
Retry-After / an exhausted rate limit) and server errors (5xx, connection failures) a bounded
number of times with a bounded wait, then raises `ApiError` (a ServiceError, exit 3) naming the
method, the path and the status. The token is never part of a message: errors carry the path,
not the URL, and any text echoed from a response is redacted first.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx

from pavedroad import __version__
from pavedroad.errors import ServiceError, UserError
from pavedroad.textsafe import one_line

Scheme = Literal["github", "gitlab", "jira"]
GitLabHeader = Literal["PRIVATE-TOKEN", "JOB-TOKEN"]
GITHUB_API_VERSION = "2022-11-28"
BACKOFF_S = 1.0  # first wait after a 5xx; doubles per attempt, bounded by max_wait_s
PER_PAGE = 100
REDACTED = "[redacted]"
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class ApiError(ServiceError):
    """A platform API request failed for good; `status` is None when no response came back."""

    def __init__(
        self, method: str, path: str, status: int | None, detail: str, *, retried: bool = False
    ) -> None:
        got = f"HTTP {status}" if status is not None else "no response"
        super().__init__(f"{method} {path}: {got}: {detail}")
        self.method = method
        self.path = path
        self.status = status
        self.retried = retried  # a rate limit or outage that outlasted the retries


class _Retry(Exception):
    """A response (or a connection failure) worth retrying; `wait` None means back off."""

    def __init__(self, wait: float | None, status: int | None, detail: str) -> None:
        super().__init__(detail)
        self.wait = wait
        self.status = status
        self.detail = detail


class ApiClient:
    """An authenticated JSON client for one platform API with bounded retries."""

    def __init__(
        self,
        base_url: str,
        token: str | None,
        *,
        scheme: Scheme,
        user: str | None = None,
        max_retries: int = 4,
        max_wait_s: float = 30.0,
        transport: httpx.BaseTransport | None = None,
        gitlab_header: GitLabHeader = "PRIVATE-TOKEN",
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = check_base_url(base_url)
        self.scheme = scheme
        self.max_retries = max_retries
        self.max_wait_s = max_wait_s
        self._token = token or ""
        self._sleep = sleep
        headers, auth = _credentials(scheme, token, user, gitlab_header)
        headers["User-Agent"] = f"pavedroad/{__version__}"
        self._http = httpx.Client(
            base_url=self.base_url,
            headers=headers,
            auth=auth,
            transport=transport,
            timeout=httpx.Timeout(20.0),
            follow_redirects=False,
        )
        self.requests_sent = 0

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def redact(self, text: str) -> str:
        """Return `text` with the token (if any) replaced by a placeholder."""
        return text.replace(self._token, REDACTED) if len(self._token) >= 4 else text

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET a path and return its parsed JSON."""
        return _json(self._send("GET", path, params=params))

    def post(self, path: str, body: dict[str, Any]) -> Any:
        """POST a JSON body and return the parsed JSON answer (None for an empty one)."""
        return _json(self._send("POST", path, body=body))

    def patch(self, path: str, body: dict[str, Any]) -> Any:
        """PATCH a JSON body and return the parsed JSON answer (None for an empty one)."""
        return _json(self._send("PATCH", path, body=body))

    def put(self, path: str, body: dict[str, Any]) -> Any:
        """PUT a JSON body and return the parsed JSON answer (None for an empty one)."""
        return _json(self._send("PUT", path, body=body))

    def paginate(self, path: str, params: dict[str, Any] | None = None) -> Iterator[Any]:
        """Yield every item of a paginated list endpoint, following the platform's next page."""
        if self.scheme == "jira":
            yield from self._paginate_jira(path, params or {})
            return
        first: dict[str, Any] = {"per_page": PER_PAGE, **(params or {})}
        target: str = path
        query: dict[str, Any] | None = first
        while True:
            response = self._send("GET", target, params=query)
            yield from _items(response, path)
            link = response.links.get("next", {}).get("url")
            following = response.headers.get("x-next-page", "").strip()
            if link:
                target, query = self._same_origin(link, path), None
            elif following.isdigit():  # GitLab omits Link for very large lists
                target, query = path, {**first, "page": following}
            else:
                return

    def _paginate_jira(self, path: str, params: dict[str, Any]) -> Iterator[Any]:
        """Follow Jira's pages: `nextPageToken` (Cloud's /search/jql) or startAt/total."""
        query: dict[str, Any] = {"maxResults": 50, **params}
        while True:
            page = _json(self._send("GET", path, params=query))
            if not isinstance(page, dict):
                raise ApiError("GET", path, None, "expected a page of results")
            items: list[Any] = list(page.get("issues") or page.get("values") or [])
            yield from items
            following = _next_jira_query(page, items, query)
            if following is None:
                return
            query = following

    def _same_origin(self, link: str, path: str) -> str:
        """Return the next page's URL if it is on this API's host; never send the token away."""
        here, there = urlsplit(self.base_url), urlsplit(link)
        if (there.scheme, there.netloc) != (here.scheme, here.netloc):
            raise ApiError("GET", path, None, "the next page points at another host; stopped")
        return link

    def _send(
        self, method: str, path: str, *, params: Any = None, body: dict[str, Any] | None = None
    ) -> httpx.Response:
        shown = _shown(path)
        for attempt in range(self.max_retries + 1):
            try:
                return self._attempt(method, path, shown, params, body)
            except _Retry as retry:
                if retry.wait is None:
                    retry.wait = min(BACKOFF_S * 2**attempt, self.max_wait_s)
                if attempt == self.max_retries or retry.wait > self.max_wait_s:
                    raise self._gave_up(method, shown, retry, attempt + 1) from None
                self._sleep(retry.wait)
        raise AssertionError("unreachable")  # the loop returns or raises

    def _attempt(
        self, method: str, path: str, shown: str, params: Any, body: dict[str, Any] | None
    ) -> httpx.Response:
        self.requests_sent += 1
        try:
            response = self._http.request(method, path, params=params, json=body)
        except httpx.TransportError as exc:
            raise _Retry(None, None, _transport_problem(exc)) from None
        if response.is_success:
            return response
        retry = self._retry_wait(response)
        if retry is not None:
            raise retry
        raise ApiError(method, shown, response.status_code, self._detail(response))

    def _retry_wait(self, response: httpx.Response) -> _Retry | None:
        """Return the retry this response calls for, or None if it is final."""
        status = response.status_code
        told = _told_wait(response)
        limited = status == 403 and (told is not None or _rate_limited(response))
        if limited or status in _RETRY_STATUSES:
            return _Retry(told, status, self._detail(response))
        return None

    def _gave_up(self, method: str, shown: str, retry: _Retry, attempts: int) -> ApiError:
        if retry.wait is not None and retry.wait > self.max_wait_s:
            limit = f"{self.max_wait_s:.0f} s"
            why = f"{retry.detail} (asked to wait {retry.wait:.0f} s, more than {limit})"
        else:
            why = f"{retry.detail} (gave up after {attempts} attempt(s))"
        return ApiError(method, shown, retry.status, self.redact(why), retried=True)

    def _detail(self, response: httpx.Response) -> str:
        """Return the platform's own error message, redacted and on one line."""
        try:
            data = response.json()
        except ValueError:
            data = None
        text = _message(data) or response.reason_phrase or "request failed"
        return one_line(self.redact(text))[:300]


def check_base_url(base_url: str) -> str:
    """Return the API base URL; refuse plain http except on this machine (tokens travel there)."""
    parts = urlsplit(base_url.strip())
    if parts.scheme == "https" and parts.netloc:
        return base_url.strip().rstrip("/")
    if parts.scheme == "http" and parts.hostname in _LOCAL_HOSTS:
        return base_url.strip().rstrip("/")
    raise UserError(
        f"API URL {base_url!r}: not an https:// URL; set the platform's API URL to https://..."
    )


def _credentials(
    scheme: Scheme, token: str | None, user: str | None, gitlab_header: GitLabHeader
) -> tuple[dict[str, str], httpx.BasicAuth | None]:
    headers: dict[str, str] = {"Accept": "application/json"}
    if scheme == "github":
        headers["Accept"] = "application/vnd.github+json"
        headers["X-GitHub-Api-Version"] = GITHUB_API_VERSION
    if not token:
        return headers, None
    if scheme == "github":
        headers["Authorization"] = f"Bearer {token}"
    elif scheme == "gitlab":
        headers[gitlab_header] = token
    elif user:
        return headers, httpx.BasicAuth(user, token)
    else:  # Jira Data Center personal access token
        headers["Authorization"] = f"Bearer {token}"
    return headers, None


def _told_wait(response: httpx.Response) -> float | None:
    """Return the wait the server asked for (Retry-After, or GitHub's reset time), if any."""
    after = response.headers.get("retry-after", "").strip()
    if after.isdigit():
        return float(after)
    reset = response.headers.get("x-ratelimit-reset", "").strip()
    if reset.isdigit() and _rate_limited(response):
        return max(0.0, float(reset) - time.time())
    return None


def _rate_limited(response: httpx.Response) -> bool:
    return str(response.headers.get("x-ratelimit-remaining", "")).strip() == "0"


def _next_jira_query(
    page: dict[str, Any], items: list[Any], query: dict[str, Any]
) -> dict[str, Any] | None:
    """Return the query of the next page, or None after the last one."""
    if not items or page.get("isLast") is True:
        return None
    token = page.get("nextPageToken")
    if isinstance(token, str) and token:
        return {**query, "nextPageToken": token}
    total = page.get("total")
    start = int(query.get("startAt", 0)) + len(items)
    return {**query, "startAt": start} if isinstance(total, int) and start < total else None


def _message(data: Any) -> str:
    if isinstance(data, dict):
        for key in ("message", "error", "error_description"):
            if isinstance(data.get(key), str):
                return str(data[key])
        errors = data.get("errorMessages")
        if isinstance(errors, list) and errors:
            return "; ".join(str(e) for e in errors)
    return ""


def _json(response: httpx.Response) -> Any:
    if response.status_code == 204 or not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        raise ApiError(
            response.request.method, response.request.url.path, response.status_code, "not JSON"
        ) from None


def _items(response: httpx.Response, path: str) -> list[Any]:
    data = _json(response)
    if not isinstance(data, list):
        raise ApiError("GET", path, response.status_code, "expected a list of items")
    return data


def _shown(path: str) -> str:
    """Return the path as errors show it: no scheme, host or query (nothing secret travels)."""
    return urlsplit(path).path or path


def _transport_problem(exc: httpx.TransportError) -> str:
    """Say in words what went wrong below HTTP (no class names in user output)."""
    if isinstance(exc, httpx.TimeoutException):
        return "the connection timed out"
    if isinstance(exc, httpx.ConnectError):
        return "could not connect"
    return "the connection failed"
