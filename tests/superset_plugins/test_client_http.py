"""The Superset client against mocked HTTP (`responses`): paging, refused logins, expired
CSRF tokens, HTML error pages and unusable addresses all end in one plain sentence.

The same client is tested against a real Superset in test_publish.py; these tests cover
the answers a healthy test server never gives.
"""
from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import prison
import pytest
import responses
from responses import matchers

from socialbench import schema, warehouse
from socialbench.cli import main
from socialbench.errors import SocialbenchError
from superset_plugins import bundle
from superset_plugins import publish as publish_module
from superset_plugins.client import SupersetClient
from superset_plugins.publish import publish, superset_uri

URL = "http://superset.test:8088"
LOGIN = f"{URL}/api/v1/security/login"
CSRF = f"{URL}/api/v1/security/csrf_token/"
IMPORT = f"{URL}/api/v1/assets/import/"
HTML_500 = "<!doctype html><html><body><h1>Internal Server Error</h1>" + "x" * 5000 + "</body></html>"


def logins(rsps, tokens=("jwt-1",), csrf=("csrf-1",)):
    """Each login answers the next access token, each CSRF request the next token."""
    for token in tokens:
        rsps.post(LOGIN, json={"access_token": token, "refresh_token": "r"})
    for value in csrf:
        rsps.get(CSRF, json={"result": value})


def client() -> SupersetClient:
    return SupersetClient(URL, "admin", "secret")


def page_of(request) -> int:
    return prison.loads(parse_qs(urlsplit(request.url).query)["q"][0])["page"]


@responses.activate
def test_listing_follows_the_pages_until_count_rows():
    logins(responses)
    rows = [{"id": i, "uuid": f"u{i}", "dashboard_title": f"D{i}", "slug": None, "published": True} for i in range(250)]
    for page in range(3):
        responses.get(f"{URL}/api/v1/dashboard/", json={"count": 250, "result": rows[page * 100 : (page + 1) * 100]})
    assert client().dashboards() == rows
    listed = [c.request for c in responses.calls if c.request.url.startswith(f"{URL}/api/v1/dashboard/")]
    assert [page_of(r) for r in listed] == [0, 1, 2]
    assert {r.headers["Authorization"] for r in listed} == {"Bearer jwt-1"}


@responses.activate
def test_listing_stops_at_an_empty_page_even_if_count_promised_more():
    logins(responses)
    responses.get(f"{URL}/api/v1/chart/", json={"count": 5, "result": [{"id": 1}, {"id": 2}]})
    responses.get(f"{URL}/api/v1/chart/", json={"count": 5, "result": []})
    assert client().charts() == [{"id": 1}, {"id": 2}]


@responses.activate
def test_a_refused_login_is_one_sentence():
    responses.post(LOGIN, status=401, json={"message": "Not authorized"})
    with pytest.raises(SocialbenchError) as error:
        client().dashboards()
    assert str(error.value) == (
        f"Superset at {URL} refused the login for user 'admin': wrong username or password"
    )


@responses.activate
def test_an_expired_login_is_renewed_once_and_the_call_repeated():
    logins(responses, tokens=("jwt-1", "jwt-2"), csrf=("csrf-1", "csrf-2"))
    listing = f"{URL}/api/v1/database/"
    responses.get(listing, status=401, json={"msg": "Token has expired"},
                  match=[matchers.header_matcher({"Authorization": "Bearer jwt-1"})])
    responses.get(listing, json={"count": 1, "result": [{"id": 7, "database_name": "socialbench"}]},
                  match=[matchers.header_matcher({"Authorization": "Bearer jwt-2"})])
    assert client().databases() == [{"id": 7, "database_name": "socialbench"}]
    assert sum(c.request.url == LOGIN for c in responses.calls) == 2


@responses.activate
def test_a_login_refused_again_right_after_logging_in_is_one_sentence():
    logins(responses, tokens=("jwt-1", "jwt-2"), csrf=("csrf-1", "csrf-2"))
    responses.get(f"{URL}/api/v1/dashboard/7", status=401, json={"msg": "Token has expired"})
    with pytest.raises(SocialbenchError) as error:
        client().dashboard(7)
    assert str(error.value) == (
        f"reading dashboard 7 failed: Superset at {URL} does not accept the login of user 'admin' "
        "even just after logging in again (HTTP 401: Token has expired)"
    )
    assert sum(c.request.url == LOGIN for c in responses.calls) == 2  # once more, not in a loop


@responses.activate
def test_an_expired_csrf_token_is_fetched_again_once():
    logins(responses, tokens=("jwt-1", "jwt-2"), csrf=("csrf-old", "csrf-new"))
    expired = {"errors": [{"message": "400 Bad Request: The CSRF token has expired.", "error_type": "GENERIC_BACKEND_ERROR"}]}
    responses.post(f"{URL}/api/v1/database/", status=400, json=expired,
                   match=[matchers.header_matcher({"X-CSRFToken": "csrf-old"})])
    responses.post(f"{URL}/api/v1/database/", status=201, json={"id": 3},
                   match=[matchers.header_matcher({"X-CSRFToken": "csrf-new"})])
    assert client().post("/api/v1/database/", {"database_name": "x"}) == {"id": 3}


@responses.activate
def test_an_import_redirected_to_the_login_page_is_sent_again_with_a_fresh_csrf_token():
    """A multipart request with a stale token is redirected to /login/ (Superset's CSRFError handler)."""
    logins(responses, tokens=("jwt-1", "jwt-2"), csrf=("csrf-old", "csrf-new"))
    responses.post(IMPORT, status=302, headers={"Location": f"{URL}/login/"},
                   match=[matchers.header_matcher({"X-CSRFToken": "csrf-old"})])
    responses.get(f"{URL}/login/", body="<html>login</html>", content_type="text/html")
    responses.post(IMPORT, json={"message": "OK"}, match=[matchers.header_matcher({"X-CSRFToken": "csrf-new"})])
    client().import_bundle(b"PK zip bytes")
    sent = [c.request for c in responses.calls if c.request.url == IMPORT]
    assert len(sent) == 2 and all(b"PK zip bytes" in r.body for r in sent)


@responses.activate
def test_a_csrf_token_refused_twice_is_one_sentence():
    logins(responses, tokens=("jwt-1", "jwt-2"), csrf=("csrf-1", "csrf-2"))
    responses.post(f"{URL}/api/v1/database/", status=400,
                   json={"errors": [{"message": "400 Bad Request: The CSRF session token is missing."}]})
    with pytest.raises(SocialbenchError) as error:
        client().post("/api/v1/database/", {"database_name": "x"}, "creating the connection")
    assert str(error.value) == (
        f"creating the connection failed: Superset at {URL} refused a fresh CSRF token; check its "
        "WTF_CSRF_* settings and that nothing between us and Superset drops its session cookie"
    )


@responses.activate
@pytest.mark.parametrize("status, reason", [(500, "Internal Server Error"), (502, "Bad Gateway"), (503, "Service Unavailable")])
def test_a_server_error_answered_as_an_html_page_is_not_dumped(status, reason):
    logins(responses)
    responses.get(f"{URL}/api/v1/chart/5/data/", status=status, body=HTML_500, content_type="text/html")
    with pytest.raises(SocialbenchError) as error:
        client().chart_data(5)
    assert str(error.value) == (
        f"the data of chart 5 failed: Superset answered HTTP {status} {reason} without a message "
        "(see the Superset server log)"
    )


@responses.activate
def test_an_import_rejected_with_an_html_page_says_nothing_was_changed():
    logins(responses)
    responses.post(IMPORT, status=500, body=HTML_500, content_type="text/html")
    with pytest.raises(SocialbenchError) as error:
        client().import_bundle(b"PK")
    assert str(error.value) == (
        f"the import failed: Superset at {URL} rejected the bundle (HTTP 500) without saying why; "
        "its server log names the file and field it could not accept. Nothing was changed."
    )


@responses.activate
def test_an_answer_that_is_not_json_is_one_sentence():
    logins(responses)
    responses.get(f"{URL}/api/v1/dashboard/7", body="<html>a proxy page</html>", content_type="text/html")
    with pytest.raises(SocialbenchError) as error:
        client().dashboard(7)
    assert str(error.value) == f"reading dashboard 7 failed: Superset at {URL} answered with something that is not JSON"


@pytest.mark.parametrize("address", ["localhost:8088", "superset.example.org", "ftp://superset.example.org", "http://"])
def test_an_address_without_http_or_https_is_one_sentence(address):
    with pytest.raises(SocialbenchError) as error:
        SupersetClient(address, "admin", "secret")
    assert str(error.value) == (
        f"the Superset address {address!r} is not a web address: write it with http:// or https://, "
        "e.g. http://localhost:8088"
    )


def test_the_cli_prints_one_line_for_an_address_without_a_scheme(capsys, tmp_path):
    code = main(["superset", "publish", "--url", "localhost:8088", "--username", "admin", "--password", "x",
                 "--db", f"duckdb:///{tmp_path / 'w.duckdb'}"])
    err = capsys.readouterr().err
    assert code == 1
    assert err == (
        "error: the Superset address 'localhost:8088' is not a web address: write it with http:// or https://, "
        "e.g. http://localhost:8088\n"
    )


@responses.activate
def test_an_unreachable_server_is_one_sentence():
    responses.post(LOGIN, body=__import__("requests").ConnectionError("refused"))
    with pytest.raises(SocialbenchError) as error:
        client().login()
    assert str(error.value) == f"cannot reach Superset at {URL}: is it running?"


# --- publish, with Superset mocked --------------------------------------------------------


def _mock_superset_for_publish(rsps, files):
    """A Superset that knows no socialbench connection and answers the import with OK; its
    dashboard list afterwards holds the bundle's dashboards; it has no chart (so none of the
    retired charts publish looks for)."""
    logins(rsps)
    rsps.get(f"{URL}/api/v1/database/", json={"count": 0, "result": []})
    rsps.get(f"{URL}/api/v1/dataset/", json={"count": 0, "result": []})
    rsps.get(f"{URL}/api/v1/chart/", json={"count": 0, "result": []})
    rsps.post(IMPORT, json={"message": "OK"})
    dashboards = [c for p, c in files.items() if p.startswith("dashboards/")]
    rsps.get(f"{URL}/api/v1/dashboard/", json={
        "count": len(dashboards),
        "result": [{"id": i, "uuid": d["uuid"], "dashboard_title": d["dashboard_title"], "slug": d["slug"]}
                   for i, d in enumerate(dashboards, start=1)],
    })


def _imported_zip(rsps) -> tuple[bytes, dict]:
    """The ZIP file and the other form fields of the one import request."""
    (call,) = [c for c in rsps.calls if c.request.url == IMPORT]
    body = call.request.body
    boundary = call.request.headers["Content-Type"].split("boundary=")[1].encode()
    fields = {}
    for part in body.split(b"--" + boundary)[1:-1]:
        head, _, value = part.partition(b"\r\n\r\n")
        name = head.split(b'name="')[1].split(b'"')[0].decode()
        fields[name] = value[: -len(b"\r\n")]
    return fields.pop("bundle"), fields


@responses.activate
def test_publish_sends_the_builders_bundle_once_serialised(monkeypatch, tmp_path):
    warehouse_uri = "postgresql+psycopg2://reader:s3cret@db.example:5432/warehouse"
    files = bundle.bundle_files(warehouse_uri, "socialbench", None, False)
    _mock_superset_for_publish(responses, files)
    serialised = []
    real_zip = bundle.zip_bundle
    monkeypatch.setattr(bundle, "zip_bundle", lambda f: serialised.append(f) or real_zip(f))
    monkeypatch.setattr(bundle, "read_bundle", lambda data: pytest.fail("publish must not read its own ZIP back"))
    # the warehouse at db.example is not reachable from here; its check is tested live (test_publish.py)
    monkeypatch.setattr(publish_module, "check_warehouse", lambda uri, elsewhere_allowed=False: False)

    summary = publish(client(), warehouse_uri, synthetic=False)

    sent, fields = _imported_zip(responses)
    assert len(serialised) == 1
    assert sent == bundle.build_bundle(warehouse_uri, "socialbench", None, False)
    # the password Superset masks in a URI goes beside the bundle, keyed by the database file
    assert json.loads(fields["passwords"]) == {"databases/socialbench.yaml": "s3cret"}
    assert fields["overwrite"] == b"true"
    assert (summary.datasets, summary.charts) == (len(bundle.dataset_uuids()), len(bundle.chart_uuids()))
    assert sorted(d.slug for d in summary.dashboards) == sorted(bundle.dashboard_slugs())


@responses.activate
def test_publish_gives_superset_a_relative_duckdb_path_as_an_absolute_one(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    engine = warehouse.create_engine("duckdb:///w.duckdb")
    schema.init(engine)  # publish checks the warehouse before it calls Superset
    engine.dispose()
    files = bundle.bundle_files(superset_uri("duckdb:///w.duckdb"), "socialbench", None, False)
    _mock_superset_for_publish(responses, files)
    publish(client(), "duckdb:///w.duckdb", synthetic=False)
    sent, _ = _imported_zip(responses)
    database = bundle.read_bundle(sent)["databases/socialbench.yaml"]
    assert database["sqlalchemy_uri"] == f"duckdb:///{tmp_path / 'w.duckdb'}"
