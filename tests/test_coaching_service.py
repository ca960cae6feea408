"""The coaching-service example (examples/coaching_service): its API and its form.

The API is tested in process with FastAPI's TestClient. The form is tested as a person
would see it: the app is served by uvicorn on 127.0.0.1 and opened in headless Chromium,
whose rendered DOM must show the questions (and, given answers in the link, the advice).
"""

from __future__ import annotations

import datetime
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import outreach_rules as orr

pytest.importorskip("fastapi", reason="fastapi is not installed (pip install -e '.[dev]')")
if importlib.util.find_spec("httpx2") is None and importlib.util.find_spec("httpx") is None:
    pytest.skip("httpx2 is not installed (pip install -e '.[dev]')", allow_module_level=True)

with warnings.catch_warnings():
    # Starlette's TestClient prefers httpx2 and warns when it falls back to httpx.
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from fastapi.testclient import TestClient

ROOT = Path(__file__).parent.parent
SERVICE = ROOT / "examples" / "coaching_service"
TODAY = datetime.date(2026, 3, 2)
PREPARED = {
    "interview_date": "2026-03-06",
    "interviewer_name": "Dana Lee",
    "reviewed_job_description": True,
    "researched_role_holders": True,
    "spoke_with_recruiter": False,
    "has_interviewer_contact": True,
    "interviewer_requested_no_contact": False,
    "already_contacted_interviewer": False,
    "channel": "email",
}


def _load_service() -> ModuleType:
    spec = importlib.util.spec_from_file_location("coaching_service_app", SERVICE / "app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def service() -> ModuleType:
    return _load_service()


@pytest.fixture(scope="module")
def client(service: ModuleType) -> Iterator[TestClient]:
    with TestClient(service.app) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def engine(service: ModuleType) -> orr.Engine:
    found: orr.Engine = service.app.state.engine
    return found


# ---------------------------------------------------------------- the API
def test_advice_round_trip(client: TestClient, engine: orr.Engine) -> None:
    """A situation in, the Advice out: the same advice as the engine gives directly."""
    response = client.post("/advice", params={"today": TODAY.isoformat()}, json=PREPARED)
    assert response.status_code == 200, response.text
    advice = orr.Advice.model_validate(response.json())
    direct = engine.evaluate(PREPARED, today=TODAY)
    assert advice.decision is not None and advice.decision.id == "contact_interviewer"
    assert advice.today == TODAY
    assert advice.model_dump(mode="json") == direct.model_dump(mode="json")
    assert advice.draft is not None and "Dear Dana Lee" in advice.draft.body


def test_advice_without_today_uses_the_current_day(client: TestClient) -> None:
    before = datetime.date.today()
    response = client.post("/advice", json={"spoke_with_recruiter": True})
    assert response.status_code == 200, response.text
    assert before <= datetime.date.fromisoformat(response.json()["today"]) <= datetime.date.today()


def test_an_empty_situation_is_valid(client: TestClient) -> None:
    response = client.post("/advice", params={"today": "2026-03-02"}, json={})
    assert response.status_code == 200
    body = response.json()
    assert body["decision"] is None
    assert body["questions"]


def test_invalid_situation_gives_422_with_every_bad_fact(client: TestClient) -> None:
    """Each bad fact is listed as {fact, message, suggestions}, as the engine names it."""
    response = client.post(
        "/advice",
        json={"spoke_with_recruitr": True, "interview_date": "soon", "channel": "fax"},
    )
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert all(set(item) == {"fact", "message", "suggestions"} for item in detail)
    by_fact = {item["fact"]: item for item in detail}
    assert set(by_fact) == {"spoke_with_recruitr", "interview_date", "channel"}
    assert by_fact["spoke_with_recruitr"]["message"] == "unknown fact"
    assert by_fact["spoke_with_recruitr"]["suggestions"] == [
        "spoke_with_recruiter",
        "asked_recruiter",
    ]
    assert "ISO date" in by_fact["interview_date"]["message"]
    assert "email" in by_fact["channel"]["message"]


def test_422_details_match_the_situation_error(client: TestClient, engine: orr.Engine) -> None:
    """The response lists exactly the problems of the SituationError the engine raises."""
    bad = {"today": "2026-03-02", "questions": "one question", "reviewed_job_description": "yes"}
    with pytest.raises(orr.SituationError) as raised:
        engine.evaluate(bad)
    response = client.post("/advice", json=bad)
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"fact": p.fact, "message": p.message, "suggestions": list(p.suggestions)}
        for p in raised.value.problems
    ]


@pytest.mark.parametrize(
    ("body", "fact"),
    [("{not json", "(situation)"), ("[1, 2]", "(situation)"), ("null", "(situation)")],
)
def test_a_body_that_is_not_a_situation_gives_422(client: TestClient, body: str, fact: str) -> None:
    response = client.post("/advice", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert [item["fact"] for item in detail] == [fact]
    assert detail[0]["message"]


def _short_names(count: int) -> list[str]:
    """`count` distinct names of four characters that no pack declares (x + 3 base-62 digits)."""
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    return ["x" + digits[n // 3844] + digits[n // 62 % 62] + digits[n % 62] for n in range(count)]


def test_a_body_of_200000_unknown_facts_gives_a_bounded_422(
    service: ModuleType, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """200,000 unknown keys (under the size limit) give a 422 that lists MAX_PROBLEMS of them
    and says more were left out; the engine re-validates only those facts and looks for
    did-you-mean names only for them, so the work done for the body does not grow with it."""
    import outreach_rules._situation as situation_module

    names = _short_names(200_000)
    body = json.dumps(dict.fromkeys(names, 0), separators=(",", ":"))
    assert len(body) < service.MAX_BODY
    validated: list[int] = []
    suggested: list[str] = []
    real_evaluate, real_suggest = orr.Engine.evaluate, situation_module.suggest

    def counting_evaluate(self: orr.Engine, situation: Any, *args: Any, **kwargs: Any) -> Any:
        validated.append(len(situation))
        return real_evaluate(self, situation, *args, **kwargs)

    def counting_suggest(name: str, *args: Any, **kwargs: Any) -> list[str]:
        suggested.append(name)
        return real_suggest(name, *args, **kwargs)

    monkeypatch.setattr(orr.Engine, "evaluate", counting_evaluate)
    monkeypatch.setattr(situation_module, "suggest", counting_suggest)
    response = client.post("/advice", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    detail = response.json()["detail"]
    limit = service.MAX_PROBLEMS
    assert len(detail) == limit + 1
    assert [item["fact"] for item in detail[:limit]] == names[:limit]
    assert {item["message"] for item in detail[:limit]} == {"unknown fact"}
    assert detail[-1] == {
        "fact": "(situation)",
        "message": f"more problems were left out: only the first {limit} are listed",
        "suggestions": [],
    }
    assert validated == [limit + 1]
    assert len(suggested) == limit + 1


def test_a_body_over_the_size_limit_gives_413(service: ModuleType, client: TestClient) -> None:
    """A body one byte over MAX_BODY is refused with a 413 before it is parsed, whether its
    length is declared or it arrives in chunks without a Content-Length."""
    body = b'{"x": "' + b"a" * (service.MAX_BODY - 8) + b'"}'
    assert len(body) == service.MAX_BODY + 1
    expected = [
        {
            "fact": "(situation)",
            "message": f"the request body is over {service.MAX_BODY:,} bytes",
            "suggestions": [],
        }
    ]
    headers = {"Content-Type": "application/json"}
    declared = client.post("/advice", content=body, headers=headers)
    assert declared.status_code == 413
    assert declared.json() == {"detail": expected}

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(body), 65_536):
            yield body[start : start + 65_536]

    streamed = client.post("/advice", content=chunks(), headers=headers)
    assert streamed.status_code == 413
    assert streamed.json() == {"detail": expected}
    assert client.post("/advice", content=body[:-2] + b"}", headers=headers).status_code == 422


def test_a_bad_today_gives_422(client: TestClient) -> None:
    response = client.post("/advice", params={"today": "2026-13-01"}, json={})
    assert response.status_code == 422
    [problem] = response.json()["detail"]
    assert problem["fact"] == "today"
    assert problem["suggestions"] == []


def test_questions(client: TestClient, engine: orr.Engine) -> None:
    """GET /questions asks about an empty situation; POST /questions about the one given."""
    first = client.get("/questions", params={"today": "2026-03-02"})
    assert first.status_code == 200
    assert first.json() == [
        q.model_dump(mode="json") for q in engine.evaluate({}, today=TODAY).questions
    ]
    assert first.json()[0]["fact"] == "interviewer_requested_no_contact"
    assert first.json()[0]["choices"] == [
        {"value": True, "label": "Yes"},
        {"value": False, "label": "No"},
    ]
    answered = {"reviewed_job_description": True, "researched_role_holders": True}
    later = client.post("/questions", params={"today": "2026-03-02"}, json=answered)
    assert later.status_code == 200
    facts = [q["fact"] for q in later.json()]
    assert "reviewed_job_description" not in facts
    assert "spoke_with_recruiter" in facts
    assert client.post("/questions", json={"nope": 1}).status_code == 422


def test_summary_endpoint(client: TestClient, engine: orr.Engine) -> None:
    """POST /summary gives the compact summary, the same as the engine's; a provisional
    decision comes with what it is provided on."""
    response = client.post("/summary", params={"today": "2026-03-02"}, json=PREPARED)
    assert response.status_code == 200, response.text
    assert response.json() == json.loads(
        engine.evaluate(PREPARED, today=TODAY).summary().model_dump_json()
    )
    unsaid = {k: v for k, v in PREPARED.items() if k != "already_contacted_interviewer"}
    provisional = client.post("/summary", params={"today": "2026-03-02"}, json=unsaid).json()
    assert provisional["decision"]["provisional"] is True
    assert provisional["decision"]["provided_that"] == [
        engine.rulebook.spec.facts["already_contacted_interviewer"].when_false
    ]


@pytest.mark.parametrize(
    ("fact", "text", "value"),
    [
        ("spoke_with_recruiter", "Yes", True),
        ("interview_date", "2026-03-06", "2026-03-06"),
        ("questions", "Which tools?\nWho joins?", ["Which tools?", "Who joins?"]),
    ],
)
def test_answer_endpoint_reads_typed_answers(
    client: TestClient, fact: str, text: str, value: Any
) -> None:
    """POST /answer turns what a person typed into the value the situation takes."""
    response = client.post("/answer", json={"fact": fact, "text": text})
    assert response.status_code == 200, response.text
    assert response.json() == {"fact": fact, "value": value}


def test_answer_endpoint_names_the_fact_of_a_bad_answer(client: TestClient) -> None:
    """A bad answer or an unknown fact gives 422 with the engine's problem."""
    bad = client.post("/answer", json={"fact": "spoke_with_recruiter", "text": "maybe"})
    assert bad.status_code == 422
    assert bad.json()["detail"] == [
        {
            "fact": "spoke_with_recruiter",
            "message": "'maybe' is not an answer to a yes/no question (yes or no)",
            "suggestions": [],
        }
    ]
    unknown = client.post("/answer", json={"fact": "chanel", "text": "email"})
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["suggestions"][0] == "channel"


def test_schema_endpoint(client: TestClient, engine: orr.Engine) -> None:
    response = client.get("/schema/situation")
    assert response.status_code == 200
    schema = response.json()
    assert schema == engine.situation_schema()
    assert "spoke_with_recruiter" in schema["properties"]
    assert schema["additionalProperties"] is False


def test_openapi_is_built_from_the_models(client: TestClient, engine: orr.Engine) -> None:
    """OpenAPI holds Advice as the response and the pack's situation model as the body."""
    openapi = client.get("/openapi.json").json()
    schemas = openapi["components"]["schemas"]
    assert "Advice" in schemas
    assert {"decision", "recommendations", "findings", "questions", "draft"} <= set(
        schemas["Advice"]["properties"]
    )
    advice = openapi["paths"]["/advice"]["post"]
    response_schema = advice["responses"]["200"]["content"]["application/json"]["schema"]
    assert response_schema == {"$ref": "#/components/schemas/Advice"}
    body = advice["requestBody"]["content"]["application/json"]["schema"]
    situation = engine.Situation.__name__
    assert body == {"$ref": f"#/components/schemas/{situation}"}
    assert set(schemas[situation]["properties"]) == set(engine.rulebook.spec.facts)
    assert {p["name"] for p in advice["parameters"]} == {"today", "Accept-Language"}
    assert "/schema/situation" in openapi["paths"]
    assert {"get", "post"} <= set(openapi["paths"]["/questions"])


def test_the_form_page_is_served(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert 'fetch("/questions")' in response.text


def test_one_engine_is_shared_by_concurrent_requests(
    service: ModuleType, client: TestClient
) -> None:
    """Requests from several threads use the one engine and get the same advice."""
    situations = [
        PREPARED,
        {**PREPARED, "spoke_with_recruiter": True},
        {**PREPARED, "interviewer_requested_no_contact": True},
        {"reviewed_job_description": False},
    ]
    expected = [
        client.post("/advice", params={"today": "2026-03-02"}, json=s).json()["decision"]
        for s in situations
    ]

    def ask(index: int) -> Any:
        situation = situations[index % len(situations)]
        reply = client.post("/advice", params={"today": "2026-03-02"}, json=situation)
        return reply.json()["decision"]

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(ask, range(24)))
    assert answers == [expected[i % len(situations)] for i in range(24)]
    assert service.app.state.engine is client.app.state.engine  # type: ignore[attr-defined]


def test_create_app_takes_any_pack() -> None:
    """The same app serves another pack: the follow-up pack of the authoring guide."""
    service = _load_service()
    engine = orr.Engine.from_paths(ROOT / "examples" / "follow-up" / "follow-up.yaml")
    with TestClient(service.create_app(engine)) as other:
        response = other.post(
            "/advice",
            params={"today": "2026-03-20"},
            json={"interview_date": "2026-03-19", "heard_back": False, "thank_you_sent": False},
        )
        assert response.status_code == 200, response.text
        assert response.json()["decision"]["id"] == "send_thank_you"
        assert "heard_back" in other.get("/schema/situation").json()["properties"]


def test_accept_language_chooses_the_translation() -> None:
    """Protects the service answering in the first language of `Accept-Language` that the
    pack has, and in the pack's own language when it has none of them."""
    service = _load_service()
    pack = ROOT / "tests" / "data" / "translations" / "pack.yaml"
    engine = orr.Engine.from_paths(pack, backend="python")
    situation = {"ready": True, "channel": "email", "draft": "Hallo.", "when": "2026-03-06"}
    with TestClient(service.create_app(engine)) as other:

        def title(languages: str | None) -> str:
            headers = {} if languages is None else {"Accept-Language": languages}
            response = other.post(
                "/advice", params={"today": "2026-03-02"}, json=situation, headers=headers
            )
            assert response.status_code == 200, response.text
            return str(response.json()["decision"]["title"])

        assert title("fr-CH, de;q=0.8, en;q=0.5") == "Schreiben Sie jetzt"
        assert title("en-GB, de;q=0.9") == "Go ahead"
        assert title("fr, it;q=0.5") == "Go ahead"
        assert title(None) == "Go ahead"
        questions = other.get("/questions", headers={"Accept-Language": "de-DE"}).json()
        assert [question["prompt"] for question in questions] == ["Was würden Sie senden?"]


# ---------------------------------------------------------------- the form, in a browser
CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)
# The browser tests are part of `make test`: without Chromium they fail with the command
# that installs it, unless this variable is set to 1 to skip them on purpose.
SKIP_BROWSER = "OUTREACH_RULES_SKIP_BROWSER_TESTS"


def _need_chromium() -> str:
    """The Chromium executable; without one, a failure naming the fix (or a skip, when
    the environment says the browser tests are not wanted here)."""
    if CHROMIUM is not None:
        return CHROMIUM
    if os.environ.get(SKIP_BROWSER) == "1":
        pytest.skip(f"chromium is not installed and {SKIP_BROWSER}=1")
    pytest.fail(
        "chromium is not installed: install it with `apt-get install -y chromium` "
        f"(or set {SKIP_BROWSER}=1 to skip the browser tests)"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    """The app served by uvicorn on 127.0.0.1 at a free port; its base URL (browser tests)."""
    _need_chromium()
    pytest.importorskip("uvicorn", reason="uvicorn is not installed (pip install -e '.[dev]')")
    port = _free_port()
    command = [sys.executable, "-m", "uvicorn", "--app-dir", str(SERVICE), "app:app"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/questions", timeout=2) as reply:  # noqa: S310 - our own server on 127.0.0.1
                    if reply.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                output = server.stdout.read().decode() if server.stdout else ""
                pytest.fail(f"uvicorn did not start:\n{output}")
            time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if server.stdout:
            server.stdout.close()


def _chromium(url: str, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    chromium = _need_chromium()
    profile = tmp_path / "profile"
    command = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        "--virtual-time-budget=5000",
        *extra,
        url,
    ]
    env = {**os.environ, "HOME": str(tmp_path)}
    return subprocess.run(
        command, capture_output=True, text=True, timeout=120, check=False, env=env
    )


def test_the_form_asks_the_questions_in_a_browser(
    served: str, engine: orr.Engine, tmp_path: Path
) -> None:
    """Headless Chromium renders the form with an input for each opening question."""
    run = _chromium(f"{served}/", tmp_path, "--dump-dom")
    assert run.returncode == 0, run.stderr[-2000:]
    dom = run.stdout
    questions = engine.evaluate({}).questions
    assert questions
    for question in questions:
        assert question.prompt in dom, f"{question.prompt!r} is not on the page"
        assert f'data-fact="{question.fact}"' in dom
    assert "Loading the questions" not in dom


def test_the_form_shows_the_advice_in_a_browser(served: str, tmp_path: Path) -> None:
    """Answers given in the link are filled in and posted; the page shows the advice."""
    situation = {**PREPARED, "candidate_name": "Alex Morgan"}
    fragment = urllib.parse.urlencode({"today": "2026-03-02", "situation": json.dumps(situation)})
    link = f"{served}/#{fragment}"
    run = _chromium(link, tmp_path, "--dump-dom")
    assert run.returncode == 0, run.stderr[-2000:]
    dom = run.stdout
    assert 'id="decision"' in dom
    assert "Contact the interviewer" in dom
    assert 'id="recommendations"' in dom
    assert "because you have done the expected preparation" in dom
    assert 'id="draft"' in dom
    assert "Dear Dana Lee" in dom
    assert "Alex Morgan" in dom
