"""A coaching service: outreach_rules behind a small FastAPI app.

Run it from the repository root (needs fastapi and uvicorn, in the `dev` extra):

    uvicorn --app-dir examples/coaching_service app:app --port 8000

and open http://127.0.0.1:8000/ for the form, or http://127.0.0.1:8000/docs for the API.

- `POST /advice?today=YYYY-MM-DD`: a situation (JSON) in, the `Advice` (JSON) out.
- `POST /summary?today=YYYY-MM-DD`: a situation in, the compact `Summary` out.
- `POST /answer`: `{fact, text}`, a typed answer, in; `{fact, value}` out, the value the
  situation takes (`Engine.parse_answer`): yes/no, dates, numbers, one list item per line.
- `POST /questions`: the questions that could change the advice for a situation.
- `GET /questions`: the questions to start with (those of an empty situation).
- `GET /schema/situation`: the JSON Schema of a situation.
- `GET /`: a one-page form that asks the questions and shows the advice.

Advice, summaries and questions are in the language the request's `Accept-Language` asks
for, when the pack has a translation for it (`Engine.negotiate_locale`); in the pack's
own language otherwise.

One `Engine` is built when the app is created and shared by every request: building
compiles the pack, evaluating only reads it, and the engine is safe to share across the
threads that FastAPI runs plain `def` endpoints in. An invalid situation gets a 422 whose
`detail` lists each bad fact as `{fact, message, suggestions}`, at most `MAX_PROBLEMS` of
them (then one more item says how many were left out). A body over `MAX_BODY` bytes gets a
413 before it is parsed, so every request is answered in time linear in its size.

(No `from __future__ import annotations` here: FastAPI reads the endpoints' annotations at
run time, and the situation model is a local variable of `create_app`.)
"""

import datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, Header, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import outreach_rules as orr

MAX_BODY = 2_000_000  # bytes: a situation of the bundled pack is a few kilobytes at most
MAX_PROBLEMS = 20  # problems listed in a 422; a client fixes a few and sends again
STATIC = Path(__file__).resolve().parent / "static"
Today = Annotated[
    datetime.date | None,
    Query(description="The day to evaluate on (YYYY-MM-DD); default: the server's today."),
]


Languages = Annotated[
    str | None,
    Header(
        alias="Accept-Language",
        description="The languages the reader prefers; the advice is in the first the pack has.",
    ),
]


class TypedAnswer(BaseModel):
    """An answer as a person typed it."""

    fact: str
    text: str


class ParsedAnswer(BaseModel):
    """The value a typed answer stands for, as a situation takes it."""

    fact: str
    value: Any


def create_app(engine: orr.Engine | None = None) -> FastAPI:
    """The app, around one engine (default: the bundled packs), built now and then shared."""
    engine = engine if engine is not None else orr.Engine.default()
    # The request body is typed with the pack's own situation model, so the OpenAPI schema
    # lists every fact with its type and question.
    situation_model: Any = engine.Situation
    info = engine.rulebook.spec
    app = FastAPI(
        title="Coaching service",
        version=orr.__version__,
        description=(
            f"Explained advice from the rule pack '{info.pack}' {info.version}: {info.title}."
        ),
    )
    app.state.engine = engine
    app.add_middleware(BodyLimit, limit=MAX_BODY)

    @app.exception_handler(orr.SituationError)
    def situation_error(_request: Request, error: orr.SituationError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"detail": _problems(error)})

    @app.exception_handler(RequestValidationError)
    def request_error(_request: Request, error: RequestValidationError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"detail": _request_problems(engine, error)})

    @app.post("/advice", response_model=orr.Advice, summary="Advice for a situation")
    def advice(
        situation: situation_model,  # type: ignore[valid-type]
        today: Today = None,
        languages: Languages = None,
    ) -> orr.Advice:
        """The decision, recommendations, findings, questions, draft and trace."""
        return engine.evaluate(situation, today=today, locale=_locale(engine, languages))

    @app.post("/summary", response_model=orr.Summary, summary="The advice in short")
    def summary(
        situation: situation_model,  # type: ignore[valid-type]
        today: Today = None,
        languages: Languages = None,
    ) -> orr.Summary:
        """The decision (or the provisional one), why, the top actions, the findings on
        the draft, the draft and the open questions: what a person reads first."""
        locale = _locale(engine, languages)
        return engine.evaluate(situation, today=today, locale=locale).summary()

    @app.post("/answer", response_model=ParsedAnswer, summary="Read a typed answer")
    def answer(typed: TypedAnswer) -> ParsedAnswer:
        """The value of a typed answer to a fact's question, or 422 naming the fact."""
        value = engine.parse_answer(typed.fact, typed.text)
        return ParsedAnswer(fact=typed.fact, value=value)

    @app.post("/questions", response_model=list[orr.Question], summary="Questions to ask next")
    def questions(
        situation: situation_model,  # type: ignore[valid-type]
        today: Today = None,
        languages: Languages = None,
    ) -> list[orr.Question]:
        """The unknown facts whose answer could change the advice, most important first."""
        locale = _locale(engine, languages)
        return engine.evaluate(situation, today=today, locale=locale).questions

    @app.get("/questions", response_model=list[orr.Question], summary="Questions to start with")
    def first_questions(today: Today = None, languages: Languages = None) -> list[orr.Question]:
        """The questions for a situation where nothing is known yet."""
        return engine.evaluate({}, today=today, locale=_locale(engine, languages)).questions

    @app.get("/schema/situation", summary="The JSON Schema of a situation")
    def situation_schema() -> dict[str, Any]:
        """Every fact of the pack, with its type, description and question."""
        return engine.situation_schema()

    @app.get("/", include_in_schema=False)
    def form() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html")

    return app


def _locale(engine: orr.Engine, languages: str | None) -> str | None:
    """The locale to answer in: the first of the request's languages the pack has."""
    return engine.negotiate_locale(languages) if languages else None


def _problems(error: orr.SituationError) -> list[dict[str, Any]]:
    return [
        {"fact": p.fact, "message": p.message, "suggestions": list(p.suggestions)}
        for p in error.problems
    ]


def _request_problems(engine: orr.Engine, error: RequestValidationError) -> list[dict[str, Any]]:
    """The problems of a rejected request, in the engine's words where the body is at fault.

    FastAPI validates the body with the situation model before the endpoint runs. The
    engine's own validation names each bad fact, with did-you-mean suggestions for a
    misspelt one, so the bad facts of a rejected body (the first `MAX_PROBLEMS` of them,
    not the whole body) are validated again by the engine. One pass over the errors: a
    body of many thousands of unknown facts costs time in proportion to its size."""
    body_errors: list[dict[str, Any]] = []
    other_errors: list[dict[str, Any]] = []
    for item in error.errors():
        (body_errors if item["loc"][:1] == ("body",) else other_errors).append(item)
    facts = _bad_facts(error.body, body_errors)
    problems: list[dict[str, Any]] = []
    if facts:
        try:
            engine.evaluate({fact: error.body[fact] for fact in facts}, trace=False)
        except orr.SituationError as bad:
            problems.extend(_problems(bad))
            body_errors = []  # the engine has named them
    problems.extend(_fastapi_problem(item) for item in body_errors + other_errors)
    return _bounded(problems, len(facts) <= MAX_PROBLEMS)


def _bad_facts(body: Any, body_errors: list[dict[str, Any]]) -> list[str]:
    """The first `MAX_PROBLEMS` distinct facts that body errors name (none if not a mapping)."""
    if not isinstance(body, dict):
        return []
    facts: dict[str, None] = {}
    for item in body_errors:
        loc = item["loc"]
        if len(loc) > 1 and isinstance(loc[1], str) and loc[1] in body:
            facts[loc[1]] = None
            if len(facts) > MAX_PROBLEMS:
                break
    return list(facts)


def _fastapi_problem(item: dict[str, Any]) -> dict[str, Any]:
    loc = item["loc"]
    if loc[:1] == ("body",):  # a body that is not JSON, or missing
        where = str(loc[1]) if len(loc) > 1 and isinstance(loc[1], str) else "(situation)"
    else:  # a query parameter
        where = str(loc[-1]) if loc else "(request)"
    reason = item.get("ctx", {}).get("error")
    message = f"{item['msg']}: {reason}" if isinstance(reason, str) else str(item["msg"])
    return {"fact": where, "message": message, "suggestions": []}


def _bounded(problems: list[dict[str, Any]], complete: bool) -> list[dict[str, Any]]:
    """At most `MAX_PROBLEMS` problems, and a last item saying that more were left out."""
    if complete and len(problems) <= MAX_PROBLEMS:
        return problems
    return [
        *problems[:MAX_PROBLEMS],
        {
            "fact": "(situation)",
            "message": f"more problems were left out: only the first {MAX_PROBLEMS} are listed",
            "suggestions": [],
        },
    ]


class BodyLimit:
    """Refuses a request body over `limit` bytes with a 413: a declared Content-Length is
    checked before anything is read, and the bytes of a body sent without one are counted
    as they arrive, so nothing larger is ever parsed."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length", b"0")
        if declared.isdigit() and int(declared) > self.limit:
            refusal = JSONResponse(status_code=413, content={"detail": self._detail()})
            await refusal(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                # An HTTPException passes through FastAPI's body reading as it is.
                raise HTTPException(status_code=413, detail=self._detail())
            return message

        await self.app(scope, counted, send)

    def _detail(self) -> list[dict[str, Any]]:
        message = f"the request body is over {self.limit:,} bytes"
        return [{"fact": "(situation)", "message": message, "suggestions": []}]


app = create_app()
