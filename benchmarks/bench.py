"""Benchmarks of outreach_rules: throughput, load time, memory, batch speed-up and scaling.

    python benchmarks/bench.py            # the full run (a few minutes)
    python benchmarks/bench.py --quick    # under a minute
    python benchmarks/bench.py --json     # ... and one JSON line last
    python benchmarks/bench.py --soak     # RSS over 1,000,000 evaluations (make soak)
    python benchmarks/bench.py --tiny     # every part with minimal counts (the test suite)
    python benchmarks/bench.py --parquet  # rows/s and peak RSS per worker writing 1,000,000
                                          # rows to Parquet (see bench_parquet.py)

Throughput modes, on the bundled pack and seeded random situations (built from
`engine.Situation.model_fields`), each timed in rounds that alternate between the modes (so
noise from other processes falls on all of them alike); the best round of each is reported:

- evaluate          `Engine.evaluate` on the durable backend, with the trace (the default)
- evaluate_notrace  the same with `trace=False`
- python            `Engine.evaluate` on the python backend, with the trace
- python_notrace    the same with `trace=False`
- raw_durable       the same compiled rulesets (`engine.compiled_rulesets()`) registered on
                    a bare `durable.engine.Host` whose `_run` is a no-op (no timer threads),
                    with `run` callbacks that do nothing: per situation, assert the fact each
                    ruleset needs and delete the session's state; the facts are built before
                    the timed loop
- limit             the plain-Python limit: the compiled conditions as closures,
                    `engine.run(known, today, backend="python")` on pre-validated facts, no
                    explanation

Also measured: the time of each stage of an evaluation (validate, fire the rules, build the
Advice with and without the trace), load and compile time of the bundled pack (median of
repeated `Engine.default()`), RSS growth (from /proc/self/statm), `Engine.evaluate_many`
with 2 workers against 1 on a large batch, the same modes on generated packs of 10 to
300 rules, and the generated workload of benchmarks/peers.py against zen-engine and a
one-function plain-Python limit. Targets are reported as PASS or FAIL; the exit status does
not depend on them.
See docs/performance.md for results and their explanation.
"""

from __future__ import annotations

import argparse
import copy
import datetime
import json
import multiprocessing
import multiprocessing.forkserver
import os
import platform
import random
import resource
import statistics
import sys
import tempfile
import time
import types
import typing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

import outreach_rules as orr
from outreach_rules import _batch
from outreach_rules._advise import build_advice
from outreach_rules._compile import MARKER
from outreach_rules._compile import TODAY as TODAY_KEY
from outreach_rules._durable import available
from outreach_rules._situation import validate_situation

TODAY = datetime.date(2026, 3, 2)
MIB = 1024 * 1024

# Each target: the result key, what it measures, the comparison and the bound.
TARGETS: list[tuple[str, str, str, float]] = [
    ("evaluate_vs_raw", "durable evaluate with trace vs raw durable", ">=", 0.6),
    ("python_vs_raw", "python backend vs raw durable", ">=", 2.0),
    ("explain_cost", "evaluate with trace vs trace=False (time)", "<=", 1.3),
    ("load_ms", "load + compile of the bundled pack (ms)", "<=", 20.0),
    ("soak_rss_growth_mib", "RSS growth over 1M evaluations (MiB)", "<=", 2.0),
    ("batch_speedup", "evaluate_many, 2 workers vs 1", ">=", 1.7),
    ("python_vs_zen", "python evaluate with trace vs zen-engine, 30 rules", ">=", 1.0),
    ("python_vs_zen_300", "python evaluate with trace vs zen-engine, 300 rules", ">=", 0.7),
    ("notrace_vs_zen", "python evaluate, trace=False, vs zen-engine, 30 rules", ">=", 2.0),
    ("read_vs_zen", "the same with every text and reason read, 30 rules", ">=", 0.5),
    ("load_100_ms", "load + compile of a 100-rule pack (ms)", "<=", 15.0),
]


@dataclass(frozen=True)
class Sizes:
    """How much work each part of the run does."""

    seconds: float  # per throughput mode and round
    rounds: int
    situations: int  # distinct situations, cycled
    loads: int  # Engine.default() repetitions
    batch: int  # situations in the evaluate_many batch
    batch_rounds: int
    scaling: tuple[int, ...]  # rules in the generated packs
    scaling_seconds: float
    peers: tuple[int, ...]  # rules in the packs of the generated workload
    peer_situations: int
    peer_seconds: float  # per mode and round, rounds as above


# Many more distinct situations than the texts the engine remembers (32), so that cycling
# over them does not make every text function a cache hit. Trace pieces repeat between
# distinct situations as well: 6,000 fresh ones make about 3,500 pieces in all.
FULL = Sizes(3.0, 3, 2000, 21, 10_000, 2, (10, 30, 100, 300), 1.0, (10, 30, 100, 300), 500, 1.0)
QUICK = Sizes(0.5, 3, 1500, 11, 3000, 1, (10, 30, 100, 300), 0.2, (10, 30, 100, 300), 300, 0.3)
TINY = Sizes(0.02, 1, 20, 3, 60, 1, (10, 30), 0.01, (10, 30), 20, 0.01)


# ---------------------------------------------------------------- memory
def rss_bytes() -> int:
    """Resident set size of this process, from /proc/self/statm (Linux; 0 elsewhere)."""
    try:
        fields = Path("/proc/self/statm").read_text(encoding="ascii").split()
    except OSError:
        return 0
    return int(fields[1]) * os.sysconf("SC_PAGE_SIZE")


def machine_cpu_seconds() -> float:
    """CPU seconds used by every process on the machine since boot (Linux; 0 elsewhere)."""
    try:
        fields = Path("/proc/stat").read_text(encoding="ascii").split("\n", 1)[0].split()
    except OSError:
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    """CPU seconds used by this process and its finished children (the batch workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class OtherLoad:
    """How many CPUs other processes kept busy, on average, while the benchmark ran."""

    def __init__(self) -> None:
        self.start = (time.perf_counter(), machine_cpu_seconds(), own_cpu_seconds())

    def cpus(self, unseen: float = 0.0) -> float:
        """`unseen`: CPU seconds of the run's own processes that are not this process's
        waited-for children (workers forked by a fork server are the server's children)."""
        wall, machine, own = self.start
        elapsed = time.perf_counter() - wall
        others = (machine_cpu_seconds() - machine) - (own_cpu_seconds() - own) - unseen
        return max(0.0, others / elapsed) if elapsed > 0 else 0.0


# ---------------------------------------------------------------- random situations
TEXT = (
    "Hello Ms. Lee,",
    "Hi,",
    "Dear Dana,",
    "Thank you for the invitation to interview.",
    "I want to prepare well.",
    "Could you tell me which skills matter most for this role?",
    "What should I prepare?",
    "Are there particular skills or experiences you recommend I focus on?",
    "gonna",
    "super excited!!",
    "VERY EXCITED",
    "😀",
    "[interviewer's name]",
    "Best regards,\nSam",
)
QUESTIONS = (
    "What should I prepare?",
    "Which skills matter most for this role?",
    "What does a typical day look like?",
    "Any tips?",
    "Which tools does the team use?",
)
WORDS = ("Ms. Lee", "Dana", "Sam", "Data Analyst", "Acme", "email", "x", "")


def fact_kinds(model: Any) -> dict[str, tuple[str, tuple[Any, ...]]]:
    """{fact: (kind, enum values)} read from a Situation model's fields."""
    kinds: dict[str, tuple[str, tuple[Any, ...]]] = {}
    for name, field in model.model_fields.items():
        annotation, longest = field.annotation, 0
        while True:  # unwrap `X | None` and Annotated[X, ...]
            origin = typing.get_origin(annotation)
            if origin in (typing.Union, types.UnionType):
                annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
            elif origin is typing.Annotated:
                for item in annotation.__metadata__:
                    found = getattr(item, "max_length", None)
                    for inner in getattr(item, "metadata", ()) or ():
                        found = getattr(inner, "max_length", None) or found
                    longest = max(longest, found or 0)
                annotation = typing.get_args(annotation)[0]
            else:
                break
        if typing.get_origin(annotation) is typing.Literal:
            kinds[name] = ("enum", typing.get_args(annotation))
        elif typing.get_origin(annotation) is list:
            kinds[name] = ("list", ())
        elif annotation is str:
            kinds[name] = ("text" if longest > 1_000 else "str", ())
        else:
            kinds[name] = ({bool: "bool", int: "int", float: "float"}.get(annotation, "date"), ())
    return kinds


def random_situations(engine: orr.Engine, count: int, seed: int) -> list[dict[str, Any]]:
    """`count` valid random situations for the engine's pack; about a fifth of facts unknown."""
    rng = random.Random(seed)  # noqa: S311 - reproducible benchmark data
    kinds = fact_kinds(engine.Situation)
    makers: dict[str, Callable[[tuple[Any, ...]], Any]] = {
        "bool": lambda _: rng.random() < 0.5,
        "int": lambda _: rng.randint(0, 10),
        "float": lambda _: rng.choice((0.0, 0.5, 2.5, 7.0)),
        "enum": rng.choice,
        "str": lambda _: rng.choice(WORDS),
        "text": lambda _: " ".join(rng.choices(TEXT, k=rng.randint(1, 7))),
        "list": lambda _: rng.sample(QUESTIONS, rng.randint(0, 3)),
        "date": lambda _: (TODAY + datetime.timedelta(days=rng.randint(-3, 14))).isoformat(),
    }
    return [
        {
            name: makers[kind](values)
            for name, (kind, values) in kinds.items()
            if rng.random() >= 0.2
        }
        for _ in range(count)
    ]


# ---------------------------------------------------------------- raw durable_rules
def durable_facts(
    engine: orr.Engine, situation: dict[str, Any]
) -> list[tuple[str, dict[str, Any]]]:
    """(ruleset, fact) pairs the engine asserts for one situation, in order: the facts are
    those of the real pipeline (derived values, lifted attributes, earlier strata's sets)."""
    program = engine.program
    env: dict[str, Any] = {**validate_situation(engine.Situation, situation), TODAY_KEY: TODAY}
    for name, compute in program.values:
        value = compute(env)
        if value is not None:
            env[name] = value
    facts: list[tuple[str, dict[str, Any]]] = []
    for stratum in program.strata:
        for lifted in stratum.lifted:
            value = lifted.compute(env)
            if value is not None:
                env[lifted.attr] = value
        for plan in stratum.rulesets:
            fact = {attr: env[key] for attr, key in plan.attrs.items() if key in env}
            fact[MARKER] = 1
            facts.append((plan.name, fact))
        for index in stratum.rules:  # the same rules fire on both backends
            rule = program.rules[index]
            if rule.test(env) is True:
                env.update(rule.checked.sets)
    return facts


def raw_durable(engine: orr.Engine, situations: Sequence[dict[str, Any]]) -> Callable[[int], None]:
    """A function evaluating situation i on a bare durable Host (see the module docstring)."""
    from durable.engine import Host  # noqa: PLC0415 - only where durable_rules imports

    class QuietHost(Host):  # type: ignore[misc]
        def _run(self) -> None:  # no dispatch or timer threads
            pass

    def nothing(_closure: Any) -> None:
        pass

    definitions = copy.deepcopy(engine.compiled_rulesets())  # Host deletes each "run"
    for definition in definitions.values():
        for rule in definition.values():
            rule["run"] = nothing
    host = QuietHost()
    host.register_rulesets(definitions)
    prepared: list[list[tuple[str, str, dict[str, Any]]]] = []
    for number, situation in enumerate(situations):
        sid = str(number + 1)
        prepared.append(
            [
                (name, sid, {**fact, "sid": sid, "id": "f"})
                for name, fact in durable_facts(engine, situation)
            ]
        )

    def run(index: int) -> None:
        for name, sid, fact in prepared[index]:
            host.assert_fact(name, fact)
            host.delete_state(name, sid)

    return run


# ---------------------------------------------------------------- timing
def rate(work: Callable[[int], Any], count: int, seconds: float) -> tuple[float, int]:
    """(evaluations per second, evaluations done) running work(0), work(1), ... cyclically
    over `count` inputs for at least `seconds` (and at least one pass over five inputs)."""
    done, start = 0, time.perf_counter()
    deadline = start + seconds
    while True:
        for index in range(count):
            work(index)
        done += count
        now = time.perf_counter()
        if now >= deadline:
            return done / (now - start), done


def throughput(
    modes: dict[str, Callable[[int], Any]], count: int, seconds: float, rounds: int
) -> tuple[dict[str, float], int]:
    """The best rate of each mode over `rounds` alternating rounds, and the evaluations done."""
    best: dict[str, float] = dict.fromkeys(modes, 0.0)
    total = 0
    for _ in range(rounds):
        for name, work in modes.items():
            per_s, done = rate(work, count, seconds)
            best[name] = max(best[name], per_s)
            total += done
    return best, total


def modes(
    durable: orr.Engine, python: orr.Engine, situations: list[dict[str, Any]]
) -> dict[str, Callable[[int], Any]]:
    """The throughput modes (see the module docstring), each a function of a situation index."""
    known = [validate_situation(python.Situation, s) for s in situations]
    for situation in situations[:10]:  # warm up: the durable host, text caches, templates
        durable.evaluate(situation, today=TODAY)
        python.evaluate(situation, today=TODAY)
    return {
        "evaluate": lambda i: durable.evaluate(situations[i], today=TODAY),
        "evaluate_notrace": lambda i: durable.evaluate(situations[i], today=TODAY, trace=False),
        "evaluate_read": lambda i: durable.evaluate(situations[i], today=TODAY).trace,
        "python": lambda i: python.evaluate(situations[i], today=TODAY),
        "python_notrace": lambda i: python.evaluate(situations[i], today=TODAY, trace=False),
        "raw_durable": raw_durable(durable, situations),
        "limit": lambda i: python.run(known[i], TODAY, backend="python"),
    }


def stages(
    engine: orr.Engine, situations: list[dict[str, Any]], seconds: float
) -> dict[str, float]:
    """Microseconds per situation spent in each stage of `Engine.evaluate` (durable backend):
    validating the situation, the rule engine (`engine.run`, durable and python), and building
    the Advice without and with the trace (`_advise.build_advice`)."""
    known = [validate_situation(engine.Situation, s) for s in situations]
    runs = [engine.run(k, TODAY) for k in known]
    work: dict[str, Callable[[int], Any]] = {
        "validate": lambda i: validate_situation(engine.Situation, situations[i]),
        "run_durable": lambda i: engine.run(known[i], TODAY),
        "run_python": lambda i: engine.run(known[i], TODAY, backend="python"),
        "advice_notrace": lambda i: build_advice(
            engine, dict(runs[i][0]), runs[i][1], known[i], TODAY, trace=False
        ),
        "advice_trace": lambda i: build_advice(
            engine, dict(runs[i][0]), runs[i][1], known[i], TODAY, trace=True
        ),
        "advice_trace_read": lambda i: (
            build_advice(engine, dict(runs[i][0]), runs[i][1], known[i], TODAY, trace=True).trace
        ),
    }
    best, _ = throughput(work, len(situations), seconds, 1)
    return {f"stage_{name}_us": 1e6 / per_s for name, per_s in best.items()}


def load_ms(repeats: int) -> float:
    """Median milliseconds of `Engine.default()`: load, check and compile the bundled pack."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        orr.Engine.default()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def pool_start_s(engine: orr.Engine) -> float:
    """Seconds to start a worker process that builds the engine, and stop it: the fixed cost
    of evaluate_many with 2 workers (this process evaluates meanwhile)."""
    blob = _batch.recipe(engine)
    start = time.perf_counter()
    context = _batch._worker_context()
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        pool.submit(_batch._evaluate_in_worker, blob, [], TODAY, trace=True).result()
    return time.perf_counter() - start


def _timed_evaluations(
    blob: bytes, situations: list[dict[str, Any]], barrier: Any, results: Any
) -> None:
    """In a worker process: build the engine, warm it up, wait for the others, then time the
    evaluation of `situations` and report the seconds."""
    engine = _batch.engine_for(blob)
    for situation in situations[:20]:
        engine.evaluate(situation, today=TODAY)
    barrier.wait()
    start = time.perf_counter()
    for situation in situations:
        engine.evaluate(situation, today=TODAY)
    results.put(time.perf_counter() - start)


def parallel_ceiling(situations: list[dict[str, Any]]) -> dict[str, Any]:
    """How much faster two independent processes evaluate than one, on this machine at this
    moment: one process evaluates every situation, then two evaluate half each at the same
    time (engines built and warmed up first, nothing sent back). No batch can beat this."""
    engine = orr.Engine.default()
    blob = _batch.recipe(engine)
    context = _batch._worker_context()

    def run(parts: list[list[dict[str, Any]]]) -> float:
        barrier, results = context.Barrier(len(parts)), context.Queue()
        processes = [
            context.Process(target=_timed_evaluations, args=(blob, part, barrier, results))
            for part in parts
        ]
        for process in processes:
            process.start()
        seconds = [results.get() for _ in processes]
        for process in processes:
            process.join()
        return float(max(seconds))

    # The best of two runs each: a run that other load slowed down would say too much.
    one = min(run([situations]) for _ in range(2))
    two = min(run([situations[0::2], situations[1::2]]) for _ in range(2))
    return {"parallel_1_s": one, "parallel_2_s": two, "parallel_ceiling": one / two}


def children_cpu_seconds() -> float:
    """CPU seconds of this process's ended children, and of the ended children of the fork
    server, which is where evaluate_many's workers come from where there is one."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return children.ru_utime + children.ru_stime + fork_server_children_cpu_seconds()


def fork_server_children_cpu_seconds() -> float:
    server = getattr(multiprocessing.forkserver, "_forkserver", None)
    pid = getattr(server, "_forkserver_pid", None)
    if pid is None:
        return 0.0
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except OSError:
        return 0.0
    # Fields after the command name, which is in parentheses: cutime and cstime are the
    # 16th and 17th fields of the line, in clock ticks.
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")


def batch_speedup(situations: list[dict[str, Any]], rounds: int) -> dict[str, Any]:
    """Seconds of evaluate_many with 1 and with 2 workers on one batch (the best of `rounds`;
    starting the processes is timed too), and the speed-up. Also the CPU seconds of this
    process and of the worker process, and the speed-up they imply on two otherwise idle
    cores (each process on its own core): the wall-clock figure depends on other load."""
    engine = orr.Engine.default()
    engine.evaluate(situations[0], today=TODAY)
    best: dict[int, tuple[float, float, float]] = {}
    for _ in range(rounds):
        for workers in (1, 2):
            start, own, children = time.perf_counter(), time.process_time(), children_cpu_seconds()
            results = engine.evaluate_many(situations, TODAY, workers=workers)
            spent = (
                time.perf_counter() - start,
                time.process_time() - own,
                children_cpu_seconds() - children,
            )
            if workers not in best or spent[0] < best[workers][0]:
                best[workers] = spent
            del results
    one, two = best[1], best[2]
    return {
        "batch_size": len(situations),
        "batch_1_worker_s": one[0],
        "batch_2_workers_s": two[0],
        "batch_speedup": one[0] / two[0],
        "batch_1_worker_cpu_s": one[1],
        "batch_2_workers_parent_cpu_s": two[1],
        "batch_2_workers_worker_cpu_s": two[2],
        "batch_cpu_speedup": one[1] / max(two[1], two[2]),
        "pool_start_s": pool_start_s(engine),
    }


# ---------------------------------------------------------------- generated packs
def generated_pack(rules: int, seed: int) -> str:
    """The YAML text of a simple random pack with `rules` rules over bool, int and enum facts,
    with one derived fact set by early rules and read by later ones (two strata)."""
    rng = random.Random(seed)  # noqa: S311 - reproducible benchmark data
    bools, ints, enums = (
        [f"b{i}" for i in range(12)],
        [f"n{i}" for i in range(8)],
        [f"e{i}" for i in range(4)],
    )

    def atom(readable: list[str]) -> str:
        kind = rng.randrange(5)
        if kind == 0:
            return rng.choice(readable)
        if kind == 1:
            return f"not {rng.choice(bools)}"
        if kind == 2:
            op = rng.choice(["<", "<=", ">", ">=", "=="])
            return f"{rng.choice(ints)} {op} {rng.randint(0, 10)}"
        if kind == 3:
            return f'{rng.choice(enums)} == "{rng.choice("abc")}"'
        return f'{rng.choice(enums)} in ["a", "b"]'

    rule_list = []
    for index in range(rules):
        readable = bools + (["ready"] if index >= rules // 2 else [])
        atoms = [atom(readable) for _ in range(rng.randint(1, 3))]
        joiner = rng.choice([" and ", " and ", " or "])
        rule: dict[str, Any] = {
            "id": f"r{index}",
            "when": joiner.join(atoms),
            "priority": rng.randint(0, 100),
        }
        if index < rules // 3 and rng.random() < 0.3:
            rule["set"] = {"ready": True}
        elif rng.random() < 0.3:
            rule["decide"] = rng.choice(["go", "wait", "stop"])
        else:
            rule["recommend"] = {"topic": "t", "text": f"Advice {index}."}
        rule["rationale"] = "Generated."
        rule["cite"] = {"source": "guide", "section": "Basics"}
        rule_list.append(rule)
    if not any("set" in rule for rule in rule_list):
        rule_list[0]["set"] = {"ready": True}
    facts: dict[str, Any] = {name: {"type": "bool"} for name in bools}
    facts |= {name: {"type": "int"} for name in ints}
    facts |= {name: {"type": "enum", "values": ["a", "b", "c"]} for name in enums}
    pack = {
        "pack": f"gen{rules}",
        "version": "1.0.0",
        "title": f"A generated pack of {rules} rules",
        "sources": {"guide": {"title": "A guide", "sections": ["Basics"]}},
        "decisions": {name: {"title": name.title()} for name in ("go", "wait", "stop")},
        "facts": facts,
        "derived": {"ready": {"type": "bool", "description": "Set by early rules."}},
        "rules": rule_list,
    }
    return yaml.safe_dump(pack, sort_keys=False)


def scaling(sizes: Sizes, seed: int) -> list[dict[str, Any]]:
    """Load time and throughput on generated packs of growing size."""
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for count in sizes.scaling:
            path = Path(folder) / f"gen{count}.yaml"
            path.write_text(generated_pack(count, seed + count), encoding="utf-8")
            times = []
            for _ in range(3):
                start = time.perf_counter()
                durable = orr.Engine.from_paths(path, backend="durable")
                times.append((time.perf_counter() - start) * 1000)
            python = orr.Engine.from_paths(path, backend="python")
            situations = random_situations(durable, 100, seed)
            start = time.perf_counter()
            durable.evaluate(situations[0], today=TODAY)  # registers the rulesets
            host_ms = (time.perf_counter() - start) * 1000
            fired = [
                len(python.run(validate_situation(python.Situation, s), TODAY)[1])
                for s in situations
            ]
            work = modes(durable, python, situations)
            best, _ = throughput(work, len(situations), sizes.scaling_seconds, 1)
            rows.append(
                {
                    "rules": count,
                    "rulesets": len(durable.compiled_rulesets()),
                    "fired_mean": statistics.fmean(fired),
                    "load_ms": statistics.median(times),
                    "first_evaluate_ms": host_ms,
                    **{f"{name}_per_s": value for name, value in best.items()},
                }
            )
            durable.close()
    return rows


# ---------------------------------------------------------------- soak
def soak(count: int, backend: str, seed: int, trace: bool = False) -> dict[str, Any]:
    """RSS before and after `count` evaluations (after a warm-up of 20,000); with `trace`,
    each evaluation makes its questions and its whole trace, which fills the engine's
    bounded tables of trace pieces."""
    engine = orr.Engine.default(backend=backend)  # type: ignore[arg-type]
    situations = random_situations(engine, 500, seed)

    def evaluate(number: int) -> None:
        advice = engine.evaluate(situations[number % len(situations)], today=TODAY, trace=trace)
        if trace:
            assert advice.trace is not None

    warmup = min(20_000, max(count // 10, 1))
    for number in range(warmup):
        evaluate(number)
    before = rss_bytes()
    samples = []
    start = time.perf_counter()
    step = max(count // 10, 1)
    for number in range(count):
        evaluate(number)
        if (number + 1) % step == 0:
            samples.append(round((rss_bytes() - before) / MIB, 3))
            resident = rss_bytes() / MIB
            print(f"  {number + 1:>9,} evaluations  RSS {resident:8.1f} MiB", flush=True)
    elapsed = time.perf_counter() - start
    return {
        "soak_evaluations": count,
        "soak_backend": engine.backend,
        "soak_trace": trace,
        "soak_per_s": count / elapsed,
        "soak_rss_start_mib": before / MIB,
        "soak_rss_growth_mib": (rss_bytes() - before) / MIB,
        "soak_rss_samples_mib": samples,
        "soak_live_sessions": engine.live_sessions(),
    }


# ---------------------------------------------------------------- report
def verdicts(results: dict[str, Any]) -> list[str]:
    lines = []
    for key, text, op, bound in TARGETS:
        value = results.get(key)
        if value is None:
            lines.append(
                f"  n/a   {text}: not measured in this run"
                + (" (run `make soak`)" if key.startswith("soak") else "")
            )
            continue
        passed = value >= bound if op == ">=" else value <= bound
        lines.append(
            f"  {'PASS' if passed else 'FAIL'}  {text}: {value:.3g} (target {op} {bound:g})"
        )
        results.setdefault("targets", {})[key] = passed
    return lines


STAGES = (
    "validate",
    "run_durable",
    "run_python",
    "advice_notrace",
    "advice_trace",
    "advice_trace_read",
)
MODE_NAMES = {
    "evaluate": "Engine.evaluate, durable, trace",
    "evaluate_notrace": "Engine.evaluate, durable, trace=False",
    "evaluate_read": "Engine.evaluate, durable, trace, trace read",
    "python": "Engine.evaluate, python, trace",
    "python_notrace": "Engine.evaluate, python, trace=False",
    "raw_durable": "raw durable_rules Host loop",
    "limit": "plain-Python limit (engine.run)",
}


def report(results: dict[str, Any], sizes: Sizes, seed: int, engine: orr.Engine) -> str:
    """The results as Markdown tables."""
    raw = results["raw_durable_per_s"]
    lines = [
        (
            f"outreach_rules benchmark, {results['date']}, Python {results['python']}, "
            f"{results['machine']}; other processes kept {results['other_cpus']:.2f} CPUs busy "
            f"on average ({results['other_cpus_throughput']:.2f} during the throughput rounds, "
            f"{results['other_cpus_batch']:.2f} during evaluate_many)"
        ),
        "",
        (
            f"Bundled pack: {len(engine.program.rules)} rules in "
            f"{len(engine.compiled_rulesets())} rulesets; {sizes.situations} random situations "
            f"(seed {seed}), today {TODAY}; best of {sizes.rounds} rounds of {sizes.seconds:g} s."
        ),
        "",
        "| mode | evaluations/s | µs each | vs raw durable |",
        "|---|---:|---:|---:|",
    ]
    for key, name in MODE_NAMES.items():
        per_s = results[f"{key}_per_s"]
        lines.append(f"| {name} | {per_s:,.0f} | {1e6 / per_s:,.0f} | {per_s / raw:.2f}x |")
    lines += [
        "",
        "Where the time of `Engine.evaluate` goes (µs per situation, durable backend):",
        "",
        (
            "| validate | rules, durable | rules, python | Advice, no trace | Advice, trace "
            "| Advice, trace read |"
        ),
        "|---:|---:|---:|---:|---:|---:|",
        "| " + " | ".join(f"{results[f'stage_{name}_us']:,.0f}" for name in STAGES) + " |",
        "",
        (
            f"- cost of the explanations: `evaluate` with the trace takes "
            f"{results['explain_cost']:.2f}x the time of `trace=False` (questions made, trace "
            f"kept to be made when read); {results['explain_cost_read']:.2f}x when the whole "
            "trace is read as well"
        ),
    ]
    lines += [
        "",
        (
            f"- load + compile of the bundled pack (median of {sizes.loads} `Engine.default()` "
            f"in this process): {results['load_ms']:.1f} ms; the first load in a fresh process "
            f"(median of {max(1, sizes.loads // 2)} processes): {results['load_cold_ms']:.1f} ms"
        ),
        (
            f"- RSS growth over the {results['rss_evaluations']:,} evaluations above: "
            f"{results['rss_growth_mib']:+.2f} MiB"
        ),
        (
            f"- `evaluate_many` on {results['batch_size']:,} situations (trace on, process start "
            f"included): 1 worker {results['batch_1_worker_s']:.2f} s, 2 workers "
            f"{results['batch_2_workers_s']:.2f} s, speed-up {results['batch_speedup']:.2f}x; "
            f"starting a worker process alone takes {results['pool_start_s']:.2f} s"
        ),
        (
            f"- two independent processes, each evaluating half of "
            f"{results['batch_size'] // 2:,} situations at the same time (engines built, nothing "
            f"sent back), against one evaluating them all: {results['parallel_ceiling']:.2f}x, "
            "the most that any batch could gain on this machine at this moment; evaluate_many "
            f"got {results['batch_speedup'] / results['parallel_ceiling']:.0%} of it"
        ),
        (
            f"- CPU seconds: 1 worker {results['batch_1_worker_cpu_s']:.2f}; 2 workers: this "
            f"process {results['batch_2_workers_parent_cpu_s']:.2f}, the worker process "
            f"{results['batch_2_workers_worker_cpu_s']:.2f}; speed-up on two idle cores "
            f"(each process on its own) {results['batch_cpu_speedup']:.2f}x"
        ),
        "",
        (
            f"Generated packs (evaluations/s, 100 random situations, {sizes.scaling_seconds:g} s "
            "per mode):"
        ),
        "",
        (
            "| rules | rulesets | fired (mean) | load ms | 1st evaluation ms | evaluate | "
            "no trace | trace read | python | python no trace | raw durable | limit |"
        ),
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in results["scaling"]:
        rates = " | ".join(f"{row[f'{key}_per_s']:,.0f}" for key in MODE_NAMES)
        lines.append(
            f"| {row['rules']} | {row['rulesets']} | {row['fired_mean']:.1f} | "
            f"{row['load_ms']:.1f} | {row['first_evaluate_ms']:.1f} | {rates} |"
        )
    return "\n".join(lines) + "\n"


def environment() -> dict[str, Any]:
    return {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
    }


def bundled(sizes: Sizes, seed: int, engine: orr.Engine) -> dict[str, Any]:
    """Throughput, RSS growth and batch speed-up on the bundled pack."""
    results: dict[str, Any] = {}
    situations = random_situations(engine, sizes.situations, seed)
    work = modes(
        orr.Engine.default(backend="durable"), orr.Engine.default(backend="python"), situations
    )
    section = OtherLoad()
    rss_before = rss_bytes()
    best, evaluations = throughput(work, len(situations), sizes.seconds, sizes.rounds)
    results["rss_growth_mib"] = (rss_bytes() - rss_before) / MIB
    results["rss_evaluations"] = evaluations
    results["other_cpus_throughput"] = section.cpus()
    results |= {f"{name}_per_s": value for name, value in best.items()}
    raw = best["raw_durable"]
    results |= {
        f"{name}_vs_raw": value / raw for name, value in best.items() if name != "raw_durable"
    }
    results["python_vs_evaluate"] = best["python"] / best["evaluate"]
    results["explain_cost"] = best["evaluate_notrace"] / best["evaluate"]
    results["explain_cost_read"] = best["evaluate_notrace"] / best["evaluate_read"]
    results["limit_vs_python_notrace"] = best["limit"] / best["python_notrace"]
    results |= stages(orr.Engine.default(backend="durable"), situations, sizes.seconds)
    section = OtherLoad()
    batch = random_situations(engine, sizes.batch, seed + 1)
    results |= batch_speedup(batch, sizes.batch_rounds)
    results |= parallel_ceiling(batch[: sizes.batch // 2])
    results["other_cpus_batch"] = section.cpus()
    return results


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a run of under a minute")
    parser.add_argument("--tiny", action="store_true", help="minimal counts (for the test suite)")
    parser.add_argument("--json", action="store_true", help="print one JSON line last")
    parser.add_argument("--soak", action="store_true", help="only the memory soak")
    parser.add_argument("--soak-count", type=int, default=1_000_000)
    parser.add_argument("--soak-backend", choices=["durable", "python"], default="durable")
    parser.add_argument(
        "--soak-trace", action="store_true", help="soak with questions and the trace read"
    )
    parser.add_argument(
        "--parquet", action="store_true", help="only rows/s and peak RSS writing Parquet"
    )
    parser.add_argument("--parquet-count", type=int, default=1_000_000)
    parser.add_argument(
        "--parquet-setups",
        default="one_process,two_processes,local_cluster",
        help="which set-ups to run, comma-separated (each takes a while at a million)",
    )
    parser.add_argument("--seed", type=int, default=2026)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    if args.parquet:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import bench_parquet  # noqa: PLC0415 - beside this script; only this option needs it

        setups = [name for name in args.parquet_setups.split(",") if name]
        unknown = sorted(set(setups) - set(bench_parquet.SETUPS))
        if unknown:
            print(f"unknown set-up(s) {unknown}: choose among {bench_parquet.SETUPS}")
            return 2
        figures = bench_parquet.measure(args.parquet_count, setups, OtherLoad)
        print(f"Parquet output, {args.parquet_count:,} generated situations:")
        print(", ".join(f"{name}: {value}" for name, value in environment().items()))
        print(bench_parquet.render(figures))
        if args.json:
            print(json.dumps({"parquet": figures}))
        return 0
    sizes = TINY if args.tiny else QUICK if args.quick else FULL
    if args.tiny:  # let a batch of a few dozen situations go to worker processes
        _batch.IN_PROCESS_BELOW = 40
    results: dict[str, Any] = environment()
    whole_run = OtherLoad()

    if args.soak:
        what = "questions and the trace read" if args.soak_trace else "no trace"
        print(f"soak: {args.soak_count:,} evaluations, {args.soak_backend} backend, {what}")
        results |= soak(args.soak_count, args.soak_backend, args.seed, args.soak_trace)
        results["other_cpus"] = whole_run.cpus()
        growth, per_s = results["soak_rss_growth_mib"], results["soak_per_s"]
        print(f"RSS growth {growth:+.2f} MiB at {per_s:,.0f} evaluations/s")
        print(f"other processes kept {results['other_cpus']:.2f} CPUs busy on average")
        lines = [line for line in verdicts(results) if "RSS" in line]
    elif not available():
        print("the benchmark compares with durable_rules, which cannot be imported here")
        return 2
    else:
        # Beside this script, which Python puts on the path when it runs the script (tests
        # also load this file as a module, to use its generated packs, without it).
        import peers  # noqa: PLC0415

        results["load_ms"] = load_ms(sizes.loads)
        results["load_cold_ms"], _ = peers.fresh_load_ms(None, max(1, sizes.loads // 2))
        engine = orr.Engine.default()
        results |= bundled(sizes, args.seed, engine)
        results["scaling"] = scaling(sizes, args.seed)
        section = OtherLoad()
        results |= peers.compare(
            sizes.peers,
            sizes.peer_situations,
            sizes.peer_seconds,
            sizes.rounds,
            max(1, sizes.loads // 2),
            args.seed,
            throughput,
        )
        results["other_cpus_peers"] = section.cpus()
        results["other_cpus"] = whole_run.cpus()
        print(report(results, sizes, args.seed, engine))
        print(f"Other processes kept {results['other_cpus_peers']:.2f} CPUs busy on average")
        print("while the generated workload below ran.\n")
        print(peers.report(results))
        lines = verdicts(results)
    print("targets:")
    print("\n".join(lines))
    if args.json:
        print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
