"""The Engine: load → check → compile once, then evaluate situations into Advice.

Two backends fire the same compiled plan: `durable` (durable_rules' Rete engine, through a
private host) and `python` (one generated Python function per stratum, with three-valued
logic: see _pysource.py). Everything else, from derived
values to explanations, is shared, so the backends can differ only in which rules fire, and
the differential tests check that they never do.
"""

from __future__ import annotations

import collections
import datetime
import logging
import threading
import time
import weakref
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, cast

from pydantic import BaseModel

from . import _batch, _durable, _fork, _pysource, _writers
from ._advice import Advice
from ._advise import build_advice
from ._answers import parse_answer
from ._cache import EngineCache
from ._check import check
from ._compile import MARKER, TODAY, Env, Program, Stratum, compile_pack, made_once
from ._guard import only_library_errors
from ._locale import PACK_LANGUAGE, accepted_locales
from ._locale import choose as choose_locale
from ._locale import normalise as normalise_locale
from ._log import LOG
from ._provisional import assumed_values
from ._quickread import QuickReader
from ._rulebook import FactSpec, Rulebook, load_rulebook
from ._situation import read_today, situation_model, validate_situation
from ._suggest import suggest
from ._translation import Translation, Translations
from .errors import (
    EvaluationError,
    OutreachRulesError,
    SituationError,
    SituationProblem,
)

Backend = Literal["auto", "durable", "python"]


def bundled_pack_dir() -> Path:
    """The folder of the packs shipped in the package (the repository's `rules/` in a checkout)."""
    here = Path(__file__).resolve().parent
    shipped = here / "_packs"
    if shipped.is_dir():
        return shipped
    return here.parents[1] / "rules"


class Engine:
    """A compiled rule pack, ready to evaluate situations. Build once; share across threads."""

    def __init__(
        self,
        rulebook: Rulebook,
        *,
        params: Mapping[str, Any] | None = None,
        backend: Backend = "auto",
        sources: Sequence[str] = (),
        locale: str | None = None,
    ) -> None:
        started = time.perf_counter()
        self._sources = tuple(sources)
        self._params = dict(params or {})
        self.program: Program = compile_pack(check(rulebook, self._params))
        self.rulebook = rulebook
        # The translations beside the packs, by locale, each checked when first used; the
        # engine's own locale is checked now, so an engine never runs with a broken one.
        self.translations: Mapping[str, Translation] = Translations(self.program.checked)
        self.locale: str | None = None if locale is None else self._locale_of(locale)
        if self.locale is not None:
            self.translations[self.locale]
        # By locale: the engines that review drafts with a translation's term lists.
        self._localised: dict[str, Engine] = {}
        self.backend = _choose_backend(backend)
        if self.backend == "durable":
            self.program.rulesets()  # planned now, not by the first evaluation
        self._lock = threading.Lock()
        # The durable host lives in a slot that the engine's finalizer frees: an engine
        # dropped without close() would otherwise keep its C rulesets until the process ends.
        self._slot = _HostSlot()
        self._finalizer = weakref.finalize(self, self._slot.close)
        _log_loaded(rulebook, started)
        self._cache = EngineCache()  # what the explain stage makes once and shares
        # The validated `assume:` value of every fact that declares one: what a provisional
        # decision may rest on when the facts given decide nothing.
        self.assumptions: dict[str, Any] = assumed_values(self)
        _fork.track(self)

    def _after_fork_in_child(self) -> None:
        # A thread of the parent may have held the lock, or been halfway through an
        # evaluation on the host, when this process was forked (see _fork.py).
        self._lock = threading.Lock()
        if isinstance(self.translations, Translations):
            self.translations.lock = threading.Lock()
        self._host = None

    # construction ------------------------------------------------------------
    @classmethod
    def from_paths(
        cls,
        *paths: str | Path,
        params: Mapping[str, Any] | None = None,
        backend: Backend = "auto",
        locale: str | None = None,
    ) -> Engine:
        """Load pack files (a folder gives its *.yaml files, sorted); later ones overlay.

        `locale` (`"de"`, `"es_MX"`, `"de-AT"`) is the language of the advice by default:
        the pack's translations for it (`translations/NAME.LOCALE.yaml` beside each pack
        file, or those of its language alone) give the texts, and dates are written as the
        locale writes them. None: the pack's own language."""
        return cls(
            load_rulebook(paths),
            params=params,
            backend=backend,
            sources=[str(p) for p in paths],
            locale=locale,
        )

    @classmethod
    def default(
        cls,
        backend: Backend = "auto",
        params: Mapping[str, Any] | None = None,
        locale: str | None = None,
    ) -> Engine:
        """The packs shipped with the package (`locale`: see `from_paths`)."""
        return cls.from_paths(bundled_pack_dir(), params=params, backend=backend, locale=locale)

    @property
    def locales(self) -> list[str]:
        """The locales the pack has translations for, sorted."""
        return sorted(self.translations)

    def negotiate_locale(self, accepted: str | Iterable[str]) -> str | None:
        """The locale to answer in, from an HTTP `Accept-Language` header
        (`"de-CH, de;q=0.9, en;q=0.8"`) or a list of locales, most wanted first: the first
        one the pack can speak, by weight. None (the pack's own language) when it can speak
        none of them, or when the first it can is English, the language packs are written in.
        """
        for wanted in accepted_locales(accepted):
            try:
                return self._locale_of(wanted)
            except ValueError:
                continue
        return None

    def _locale_of(self, locale: str) -> str | None:
        """The translation's locale that serves `locale` (None: the pack's own language,
        English, serves an English locale the pack has no translation for); ValueError when
        none does."""
        try:
            return choose_locale(locale, self.translations)
        except ValueError:
            if normalise_locale(locale).split("_")[0] == PACK_LANGUAGE:
                return None
            raise

    @property
    def _host(self) -> _durable.DurableHost | None:
        return self._slot.host

    @_host.setter
    def _host(self, host: _durable.DurableHost | None) -> None:
        self._slot.host = host

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __reduce__(self) -> tuple[Any, ...]:
        # An engine travels by its sources; a live durable host never crosses a process.
        if not self._sources:
            raise OutreachRulesError("only engines built from paths can be pickled")
        recipe = (self._sources, self._params, self.backend, self.rulebook.digest, self.locale)
        return (_rebuild, recipe)

    # situations --------------------------------------------------------------
    @made_once
    def Situation(self) -> type[BaseModel]:  # noqa: N802 - a class, named as one
        """The pydantic model of a situation: one optional field per declared fact (made on
        first use: most situations are read without it, see `_known_facts`)."""
        return situation_model(self.rulebook.spec.pack, self.rulebook.spec.facts)

    @made_once
    def _quick_read(self) -> QuickReader:
        return QuickReader(self.rulebook.spec.facts)

    def _known_facts(self, situation: Mapping[str, Any] | BaseModel) -> dict[str, Any]:
        """The known facts of a situation, validated, in declaration order (unknown ones
        left out); SituationError naming every problem when it is invalid."""
        if type(situation) is dict:
            found = self._quick_read(situation)
            if found is not None:
                return found
        return validate_situation(self.Situation, situation)

    # inspection -------------------------------------------------------------
    def compiled_rulesets(self) -> dict[str, dict[str, Any]]:
        """The durable_rules ruleset definitions (JSON-ready), by name, in evaluation order."""
        return self.program.rulesets()

    def situation_schema(self) -> dict[str, Any]:
        """The JSON Schema of a situation."""
        return self.Situation.model_json_schema()

    @property
    def params(self) -> dict[str, Any]:
        """The parameter values in force (defaults with overrides applied)."""
        return dict(self.program.checked.params)

    # evaluation -------------------------------------------------------------
    def evaluate(
        self,
        situation: Mapping[str, Any] | BaseModel,
        today: datetime.date | str | None = None,
        *,
        trace: bool = True,
        locale: str | None = None,
    ) -> Advice:
        """Advice for one situation.

        `today` is the day date-derived facts are read on: a `date` or an ISO date text
        such as "2026-03-02"; None (the default) is the current day. Anything else, a
        `datetime` or a falsy value such as `0` or `""` included, raises SituationError
        naming `today`. `locale` is the language of this advice's texts, instead of the
        engine's (see `from_paths`); ValueError when the pack has no translation for it.
        The decision and the rules that fire are the same in every locale."""
        chosen = self.locale if locale is None else self._locale_of(locale)
        known = self._known_facts(situation)
        day = read_today(today)
        engine, words = self._speaking(chosen)
        env, fired = engine.run(known, day)
        return build_advice(engine, env, fired, known, day, trace=trace, translation=words)

    def _speaking(self, locale: str | None) -> tuple[Engine, Translation | None]:
        """The engine that evaluates in a translation's locale (see `_reviewing_in`) and
        the translation; None: the pack's own language."""
        words = None if locale is None else self.translations[locale]
        return (self if words is None else self._reviewing_in(words)), words

    def _reviewing_in(self, words: Translation) -> Engine:
        """The engine that reviews in a translation's language: this one, or, when the
        translation gives term lists (`params`), one built on the same packs with them (the
        parameters this engine was given still win), made on first use."""
        if not words.params:
            return self
        with self._lock:
            found = self._localised.get(words.locale)
            if found is None:
                params = {**words.params, **self._params}
                backend = cast(Backend, self.backend)
                found = Engine(self.rulebook, params=params, backend=backend)
                found.translations = self.translations
                self._localised[words.locale] = found
        return found

    def parse_answer(self, fact: str, text: str) -> Any:
        """The value a typed answer to a fact's question stands for, as `evaluate` takes it.

        yes/no/y/n/true/false for a yes/no fact (any case), an ISO date such as 2026-03-06,
        a number, one of an enum's values (any case), and for a list one item per line (or
        items separated by `;` on one line). Raises SituationError naming the fact, with
        did-you-mean suggestions for an unknown fact or an enum value."""
        spec = self.rulebook.spec.facts.get(fact)
        if spec is None:
            names = list(self.rulebook.spec.facts)
            raise SituationError(
                [SituationProblem(fact, "unknown fact", tuple(suggest(fact, names)))]
            )
        value = parse_answer(fact, spec, self._choice_of(fact, spec, text))
        return self._known_facts({fact: value})[fact]

    @property
    def _own_translation(self) -> Translation | None:
        """The translation of the engine's own locale; None: the pack's own language."""
        return None if self.locale is None else self.translations[self.locale]

    def _choice_of(self, fact: str, spec: FactSpec, text: Any) -> Any:
        """An enum's value for an answer that gives its label in the engine's locale
        ("E-Mail" for email); any other answer as it is."""
        words = self._own_translation
        if spec.type != "enum" or words is None or not isinstance(text, str):
            return text
        labels = {(words.choice(fact, v) or v).casefold(): v for v in spec.values or []}
        return labels.get(text.strip().casefold(), text)

    def evaluate_many(
        self,
        situations: Iterable[Mapping[str, Any] | BaseModel],
        today: datetime.date | str | None = None,
        *,
        workers: int = 2,
        trace: bool = True,
    ) -> list[Advice | OutreachRulesError]:
        """Advice for many situations, in input order, evaluated by `workers` processes.

        `workers` counts the processes that evaluate, this one included: `workers=2` starts
        one worker process and this process evaluates too while it takes in the results
        that the worker sends. Workers are fresh interpreters, never copies of this process:
        forked from a fork server that has only imported the package where there is one,
        spawned elsewhere. A worker builds this engine once from its sources and params
        (and refuses packs that changed on disk since), so the engine must come from
        `from_paths` or `default`, and a script that calls this must guard its main code
        with `if __name__ == "__main__":`, as for any such process. `workers=1`, or a batch
        of fewer than `_batch.IN_PROCESS_BELOW` situations, is evaluated here alone. The
        trace of a worker's result is made here, if it is read.

        A situation that fails gives its error in its place (without its traceback): a
        SituationError when it is invalid, a SituationFailedError naming the cause's class
        and message when evaluating it raised anything else; the others are still evaluated,
        whatever `workers` is (one that cannot be pickled is evaluated in this process).
        `today` defaults to the current day, taken once for the whole batch. The cyclic
        garbage collector is paused during the call: the results would otherwise be walked
        again and again as they pile up.
        """
        return _batch.evaluate_many(self, situations, today, workers, trace)

    def evaluate_to(
        self,
        situations: Iterable[Mapping[str, Any] | BaseModel],
        path: str | Path,
        *,
        format: Literal["parquet", "jsonl"] = "parquet",  # noqa: A002 - as in pandas
        workers: int = 1,
        today: datetime.date | None = None,
        key: str | None = None,
        batch: int = _writers.BATCH,
    ) -> _writers.WriteReport:
        """Evaluate `situations` and write one flat row each (see `outreach_rules.rows`) to
        `path`, as Parquet (needs pyarrow) or JSON Lines, in input order.

        The situations are taken `batch` at a time (any iterable, even a generator of
        millions), evaluated by `workers` processes as `evaluate_many` spreads them (each
        process makes the rows of what it evaluated, so only rows come back from the
        workers) and written before the next batch is taken, so memory holds one batch of
        rows. `key` names a field
        of each situation that holds its id: it is taken out before evaluating and becomes
        the row's `id` (the position otherwise). A bad situation gives a row with its
        error's class and message. The file appears, complete, when the call returns.
        Returns a WriteReport: situations evaluated, errors among them, and the file.
        """
        return _writers.evaluate_to(
            self,
            situations,
            path,
            format=format,
            workers=workers,
            today=today,
            key=key,
            batch=batch,
        )

    @only_library_errors
    def run(
        self, known: Mapping[str, Any], today: datetime.date, backend: str | None = None
    ) -> tuple[Env, list[int]]:
        """The bare pipeline: values after forward chaining, and the indexes of fired rules."""
        env: Env = {**known, TODAY: today}
        for name, compute in self.program.values:
            value = compute(env)
            if value is not None:
                env[name] = value
        fired: list[int] = []
        use = backend or self.backend
        for stratum in self.program.strata:
            if use == "durable":
                now = self._fire_durable(stratum, env)
                self._apply_sets(now, env)
            else:
                now = self._fire_python(stratum, env)  # it gives the derived values itself
            fired.extend(now)
        return env, sorted(fired)

    def _fire_python(self, stratum: Stratum, env: Env) -> list[int]:
        return _pysource.fire(self.program, stratum, env)

    def python_source(self) -> str:
        """The Python source the python backend runs: one generated function per stratum,
        each rule's code after a comment naming it and its line in the pack."""
        return _pysource.source(self.program)

    def _fire_durable(self, stratum: Stratum, env: Env) -> list[int]:
        for lifted in stratum.lifted:
            value = lifted.compute(env)
            if value is not None:
                env[lifted.attr] = value
        fired: set[int] = set()
        with self._lock:
            host = self._live_host()
            for plan in stratum.rulesets:
                fact = {attr: env[key] for attr, key in plan.attrs.items() if key in env}
                fact[MARKER] = 1
                try:
                    actions = host.run(plan.name, fact, limit=len(plan.actions) + 1)
                    _check_actions(plan.name, actions, plan.actions)
                except EvaluationError as error:
                    host.broken = True
                    LOG.warning("evaluation failed: %s", error)
                    raise
                fired.update(plan.actions[name] for name in actions if name != "done")
        return sorted(fired)

    def _live_host(self) -> _durable.DurableHost:
        host = self._host
        if host is None or host.broken or host.pid != _pid():
            if host is not None:
                if host.broken:
                    LOG.warning(
                        "rebuilding the durable_rules host of pack %s after an engine error",
                        self.rulebook.spec.pack,
                    )
                host.close()
            host = self._host = _durable.DurableHost(self.program.rulesets())
        return host

    def live_sessions(self) -> int:
        """Durable sessions currently open (0 between evaluations)."""
        return self._host.live_sessions if self._host is not None else 0

    def _apply_sets(self, fired: Iterable[int], env: Env) -> None:
        for index in fired:
            env.update(self.program.rules[index].checked.sets)

    def close(self) -> None:
        """Free the durable_rules rulesets now, instead of when the engine is collected.

        The engine stays usable: the next durable evaluation builds the rulesets again.
        `with Engine.default() as engine:` closes it at the end of the block."""
        with self._lock:
            if self._host is not None:
                self._host.close()
                self._host = None
            localised = list(self._localised.values())
        for engine in localised:
            engine.close()


class _HostSlot:
    """Holds an engine's durable host; its `close` is the engine's finalizer, so it must
    not refer to the engine."""

    def __init__(self) -> None:
        self.host: _durable.DurableHost | None = None

    def close(self) -> None:
        host, self.host = self.host, None
        if host is not None:
            host.close()


def _check_actions(ruleset: str, actions: list[str], known: Mapping[str, int]) -> None:
    """Each rule of a ruleset fires at most once, and the always-matching one exactly once."""
    unknown = sorted({name for name in actions if name != "done" and name not in known})
    repeated = sorted(name for name, count in collections.Counter(actions).items() if count > 1)
    if unknown or repeated or "done" not in actions:
        details = [f"unknown actions {unknown[:3]}"] if unknown else []
        details += [f"actions that ran twice {repeated[:3]}"] if repeated else []
        details += [] if "done" in actions else ["no run of its always-matching rule"]
        listed = ", ".join(details)
        raise EvaluationError(f"ruleset {ruleset} ran {len(actions)} actions: {listed}")


def _log_loaded(rulebook: Rulebook, started: float) -> None:
    if LOG.isEnabledFor(logging.INFO):
        spec = rulebook.spec
        LOG.info(
            "loaded pack %s %s (sha256 %s, %d rules) in %.1f ms",
            spec.pack,
            spec.version,
            rulebook.digest[:12],
            len(spec.rules),
            (time.perf_counter() - started) * 1000,
        )


def _pid() -> int:
    import os  # noqa: PLC0415 - tiny, and keeps fork checks next to their use

    return os.getpid()


def _choose_backend(backend: str) -> str:
    if backend == "python":
        return "python"
    if backend not in ("auto", "durable"):
        raise ValueError(f"backend must be 'auto', 'durable' or 'python', not {backend!r}")
    if _durable.available():
        return "durable"
    if backend == "durable":
        raise OutreachRulesError(
            "the durable backend needs durable_rules, which cannot be imported here"
        )
    return "python"


def _rebuild(
    sources: Sequence[str],
    params: dict[str, Any],
    backend: Backend,
    digest: str | None = None,
    locale: str | None = None,
) -> Engine:
    engine = Engine.from_paths(*sources, params=params, backend=backend, locale=locale)
    if digest is not None and engine.rulebook.digest != digest:
        # Another process would otherwise answer from packs that changed on disk meanwhile.
        raise OutreachRulesError(
            f"the packs at {', '.join(sources)} changed since this engine was built "
            f"(sha256 {digest[:12]}... is now {engine.rulebook.digest[:12]}...): "
            "build the engine again"
        )
    return engine
