"""A small client for Superset's REST API: login, CSRF, JSON calls, bundle import.

Every error Superset returns becomes a `SocialbenchError` with a plain sentence, never a
dump of an HTML page.
"""
from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import prison
import requests

from socialbench.errors import SocialbenchError

TIMEOUT_SECONDS = 120
MAX_MESSAGE_CHARS = 500


def _flatten(details: Any, prefix: str = "") -> list[str]:
    """Nested validation messages ({"charts/x.yaml": {"params": ["bad"]}}) as 'path: message' lines."""
    if isinstance(details, dict):
        out = []
        for key, value in details.items():
            out += _flatten(value, f"{prefix}{key}: " if key not in ("message", "_schema") else prefix)
        return out
    if isinstance(details, (list, tuple)):
        return [line for item in details for line in _flatten(item, prefix)]
    return [f"{prefix}{details}"]


def error_message(response: requests.Response) -> str:
    """The message in a Superset error response, in plain words."""
    try:
        body = response.json()
    except ValueError:
        reason = response.reason or "error"
        return f"Superset answered HTTP {response.status_code} {reason} without a message (see the Superset server log)"
    if not isinstance(body, dict):
        return str(body)[:MAX_MESSAGE_CHARS]
    parts: list[str] = []
    message = body.get("message") or body.get("msg")
    if message is not None:
        parts += _flatten(message)
    for error in body.get("errors") or []:
        if not isinstance(error, dict):
            parts.append(str(error))
            continue
        if error.get("message"):
            parts.append(str(error["message"]))
        extra = error.get("extra") or {}
        details = {k: v for k, v in extra.items() if k not in ("issue_codes",)}
        parts += _flatten(details)
    if not parts:
        parts = [json.dumps(body)]
    text = "; ".join(dict.fromkeys(p.strip() for p in parts if str(p).strip()))
    return text[:MAX_MESSAGE_CHARS]


def _checked_url(url: str) -> str:
    """Superset's address without a trailing slash; an address requests cannot use is refused here."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SocialbenchError(
            f"the Superset address {url!r} is not a web address: write it with http:// or https://, "
            "e.g. http://localhost:8088"
        )
    return url.strip().rstrip("/")


def _csrf_refused(response: requests.Response) -> bool:
    """Whether Superset refused the request's CSRF token (expired, or from another session).

    A JSON request gets HTTP 400 naming the CSRF token; any other request (the multipart
    import) is redirected to the login page, which requests follows.
    """
    if response.history and urlsplit(response.url).path.rstrip("/").endswith("/login"):
        return True
    return response.status_code == 400 and "csrf" in response.text[:2000].lower()


class SupersetClient:
    """One logged-in session with a Superset server."""

    LOGIN_PATH = "/api/v1/security/login"

    def __init__(self, url: str, username: str, password: str):
        self.url = _checked_url(url)
        self.username = username
        self._password = password
        self.session = requests.Session()
        self._csrf: str | None = None
        self._logged_in = False

    # --- plumbing -----------------------------------------------------------------------
    def _send(self, method: str, path: str, what: str, **kwargs) -> requests.Response:
        """One HTTP call; a failure to talk to Superset at all becomes a plain sentence."""
        try:
            response = self.session.request(method, self.url + path, timeout=TIMEOUT_SECONDS, **kwargs)
        except requests.ConnectionError as exc:
            raise SocialbenchError(f"cannot reach Superset at {self.url}: is it running?") from exc
        except requests.Timeout as exc:
            raise SocialbenchError(
                f"Superset at {self.url} did not answer within {TIMEOUT_SECONDS} s ({what})"
            ) from exc
        except requests.RequestException as exc:  # e.g. an address requests cannot use
            raise SocialbenchError(f"cannot talk to Superset at {self.url} ({what}): {exc}") from exc
        if response.status_code == 404 and "json" not in response.headers.get("content-type", ""):
            raise SocialbenchError(
                f"Superset at {self.url} has no {path} ({what}): is this a Superset 6 server?"
            )
        return response

    def _request(self, method: str, path: str, what: str, **kwargs) -> requests.Response:
        """A call in the logged-in session. An expired login (401) or CSRF token is renewed
        once, by logging in again, and the call repeated; refused again, it is an error."""
        if path == self.LOGIN_PATH:
            return self._send(method, path, what, **kwargs)
        if not self._logged_in:
            self.login()
        response = self._send(method, path, what, **kwargs)
        if response.status_code != 401 and not _csrf_refused(response):
            return response
        self.login()
        response = self._send(method, path, what, **kwargs)
        if response.status_code == 401:
            raise SocialbenchError(
                f"{what} failed: Superset at {self.url} does not accept the login of user "
                f"{self.username!r} even just after logging in again (HTTP 401: {error_message(response)})"
            )
        if _csrf_refused(response):
            raise SocialbenchError(
                f"{what} failed: Superset at {self.url} refused a fresh CSRF token; check its "
                "WTF_CSRF_* settings and that nothing between us and Superset drops its session cookie"
            )
        return response

    def _json(self, response: requests.Response, what: str) -> dict:
        if response.status_code >= 400:
            raise SocialbenchError(f"{what} failed: {error_message(response)}")
        try:
            return response.json()
        except ValueError as exc:
            raise SocialbenchError(
                f"{what} failed: Superset at {self.url} answered with something that is not JSON"
            ) from exc

    def login(self) -> None:
        """Log in with a JWT (database authentication) and fetch a CSRF token for writes."""
        self._logged_in = False
        for header in ("Authorization", "X-CSRFToken"):
            self.session.headers.pop(header, None)
        response = self._request(
            "POST",
            self.LOGIN_PATH,
            "login",
            json={"username": self.username, "password": self._password, "provider": "db", "refresh": True},
        )
        if response.status_code == 401:
            raise SocialbenchError(
                f"Superset at {self.url} refused the login for user {self.username!r}: "
                "wrong username or password"
            )
        body = self._json(response, f"login to Superset at {self.url}")
        token = body.get("access_token")
        if not token:
            raise SocialbenchError(f"login to Superset at {self.url} gave no access token")
        self.session.headers["Authorization"] = f"Bearer {token}"
        csrf = self._json(
            self._send("GET", "/api/v1/security/csrf_token/", "CSRF token"), "getting a CSRF token"
        )
        self._csrf = csrf["result"]
        self.session.headers["X-CSRFToken"] = self._csrf
        self.session.headers["Referer"] = self.url
        self._logged_in = True

    def get(self, path: str, what: str | None = None, **params) -> dict:
        what = what or f"GET {path}"
        return self._json(self._request("GET", path, what, params=params or None), what)

    def post(self, path: str, payload: dict, what: str | None = None) -> dict:
        what = what or f"POST {path}"
        return self._json(self._request("POST", path, what, json=payload), what)

    def _list(self, resource: str, filters: list[dict] | None = None, columns: list[str] | None = None) -> list[dict]:
        """Every row of /api/v1/<resource>/ (paged), optionally filtered."""
        rows: list[dict] = []
        page = 0
        while True:
            query: dict[str, Any] = {"page": page, "page_size": 100}
            if filters:
                query["filters"] = filters
            if columns:
                query["columns"] = columns
            body = self.get(f"/api/v1/{resource}/", f"listing {resource}s", q=prison.dumps(query))
            rows += body.get("result", [])
            if len(rows) >= body.get("count", 0) or not body.get("result"):
                return rows
            page += 1

    # --- what socialbench needs ---------------------------------------------------------
    def import_bundle(self, zip_bytes: bytes, passwords: dict[str, str] | None = None) -> None:
        """Import an assets bundle (databases, datasets, charts, dashboards), overwriting."""
        data = {"overwrite": "true"}
        if passwords:
            data["passwords"] = json.dumps(passwords)
        response = self._request(
            "POST",
            "/api/v1/assets/import/",
            "import",
            files={"bundle": ("socialbench.zip", zip_bytes, "application/zip")},
            data=data,
        )
        if response.status_code >= 500 and "json" not in response.headers.get("content-type", ""):
            # Superset 6.1 answers a bundle it rejects with a bare error page and writes the
            # reason (e.g. "Schema validation failed for charts/x.yaml") only to its own log.
            raise SocialbenchError(
                f"the import failed: Superset at {self.url} rejected the bundle (HTTP {response.status_code}) "
                "without saying why; its server log names the file and field it could not accept. "
                "Nothing was changed."
            )
        self._json(response, "the import")

    def find_database(self, name: str) -> dict | None:
        """The database connection with exactly this name (id, uuid, ...) or None."""
        rows = self._list(
            "database",
            filters=[{"col": "database_name", "opr": "eq", "value": name}],
            columns=["id", "uuid", "database_name", "backend"],
        )
        rows = [r for r in rows if r.get("database_name") == name]
        return rows[0] if rows else None

    def databases(self) -> list[dict]:
        return self._list("database", columns=["id", "uuid", "database_name", "backend"])

    def datasets(self) -> list[dict]:
        return self._list("dataset", columns=["id", "uuid", "table_name", "schema", "database.database_name"])

    def charts(self) -> list[dict]:
        return self._list("chart", columns=["id", "uuid", "slice_name", "viz_type"])

    def dashboards(self) -> list[dict]:
        return self._list("dashboard", columns=["id", "uuid", "dashboard_title", "slug", "published"])

    def dataset_charts(self, dataset_id: int) -> list[dict]:
        """The charts (id, uuid, slice_name) made on this dataset, whoever made them."""
        rows = self._list(
            "chart",
            filters=[{"col": "datasource_id", "opr": "eq", "value": dataset_id}],
            columns=["id", "uuid", "slice_name", "datasource_id", "datasource_type"],
        )
        return [r for r in rows if r.get("datasource_id") == dataset_id and r.get("datasource_type") in (None, "table")]

    def managed_externally(self, resource: str) -> dict[str, bool]:
        """`is_managed_externally` of every asset of this kind (chart, dataset, dashboard,
        database), by UUID. Superset 6.1 lists it for charts and dashboards; for datasets
        and databases only GET /api/v1/<resource>/<id> gives it, asked once per asset."""
        rows = self._list(resource, columns=["id", "uuid", "is_managed_externally"])
        out = {}
        for row in rows:
            if "is_managed_externally" not in row:
                row = self.get(f"/api/v1/{resource}/{row['id']}", f"reading {resource} {row['id']}")["result"]
            out[str(row["uuid"])] = row.get("is_managed_externally")
        return out

    def delete(self, resource: str, asset_id: int, what: str | None = None) -> None:
        """Delete one chart, dataset, dashboard or database by id (DELETE /api/v1/<resource>/<id>)."""
        what = what or f"deleting {resource} {asset_id}"
        self._json(self._request("DELETE", f"/api/v1/{resource}/{asset_id}", what), what)

    def dashboard_charts(self, id_or_slug: int | str) -> list[dict]:
        body = self.get(f"/api/v1/dashboard/{id_or_slug}/charts", f"listing the charts of dashboard {id_or_slug}")
        return body.get("result", [])

    def dashboard(self, id_or_slug: int | str) -> dict:
        return self.get(f"/api/v1/dashboard/{id_or_slug}", f"reading dashboard {id_or_slug}")["result"]

    def chart_data(self, chart_id: int) -> dict:
        """Run the chart's stored query context; returns Superset's answer ({"result": [...]})."""
        return self.get(f"/api/v1/chart/{chart_id}/data/", f"the data of chart {chart_id}")

    def run_sql(self, database_id: int, sql: str, schema: str | None = None) -> dict:
        """Run SQL in SQL Lab, synchronously (POST /api/v1/sqllab/execute/): its answer
        (`columns`, `data`, `status`); a refused statement is a SocialbenchError with Superset's reason."""
        payload = {"database_id": database_id, "sql": sql, "runAsync": False, "schema": schema}
        return self.post("/api/v1/sqllab/execute/", payload, "running SQL in SQL Lab")
