"""The generated workload, evaluated by the engine and by its peers.

Situations of 20 facts (8 yes/no, 6 whole numbers, 6 choices of four letters) and rules that
are conjunctions of 2 to 4 comparisons on distinct facts, each rule a recommendation. The
same rules go to four evaluators:

- `Engine.evaluate` on the python backend, with the trace, without it (`trace=False`), and
  with the text and reasons of every recommendation read afterwards;
- zen-engine (`ZenEngine.evaluate`, a decision table with the "collect" hit policy, parsed
  once into a `ZenDecisionContent` that the engine's loader returns), when it is installed
  (`pip install 'outreach-rules[bench]'`); the comparison is skipped otherwise;
- the plain-Python limit: one generated function with one `if` per rule, no explanation.

Every situation is complete (zen-engine has no three-valued logic to compare with), and
before any timing the fired set of every evaluator is checked against a reference that
reads the rules as data: a benchmark of evaluators that disagree would measure nothing.
"""

from __future__ import annotations

import json
import operator
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

import outreach_rules as orr

BOOLS = tuple(f"b{i}" for i in range(8))
INTS = tuple(f"n{i}" for i in range(6))
ENUMS = tuple(f"e{i}" for i in range(6))
LETTERS = ("a", "b", "c", "d")
OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


@dataclass(frozen=True)
class Comparison:
    """One comparison of a rule: `fact op value`."""

    fact: str
    op: str
    value: bool | int | str


Rules = list[list[Comparison]]  # rule i is "r{i}", a conjunction of its comparisons


def comparison(rng: random.Random, fact: str) -> Comparison:
    if fact in BOOLS:
        return Comparison(fact, "==", rng.random() < 0.5)
    if fact in INTS:
        return Comparison(fact, rng.choice(tuple(OPERATORS)), rng.randint(0, 10))
    return Comparison(fact, rng.choice(("==", "!=")), rng.choice(LETTERS))


def workload(count: int, seed: int) -> Rules:
    """`count` rules of 2 to 4 comparisons on distinct facts."""
    rng = random.Random(seed)  # noqa: S311 - reproducible benchmark data
    facts = BOOLS + INTS + ENUMS
    return [
        [comparison(rng, fact) for fact in rng.sample(facts, rng.randint(2, 4))]
        for _ in range(count)
    ]


def situations(count: int, seed: int) -> list[dict[str, Any]]:
    """`count` complete random situations."""
    rng = random.Random(seed)  # noqa: S311 - reproducible benchmark data
    return [
        {
            **{name: rng.random() < 0.5 for name in BOOLS},
            **{name: rng.randint(0, 10) for name in INTS},
            **{name: rng.choice(LETTERS) for name in ENUMS},
        }
        for _ in range(count)
    ]


def reference(rules: Rules, situation: dict[str, Any]) -> list[str]:
    """The ids of the rules that hold, reading the rules as data."""
    return [
        f"r{index}"
        for index, rule in enumerate(rules)
        if all(OPERATORS[c.op](situation[c.fact], c.value) for c in rule)
    ]


# ---------------------------------------------------------------- the three forms of the rules
def _condition(c: Comparison) -> str:
    if isinstance(c.value, bool):
        return c.fact if c.value else f"not {c.fact}"
    if isinstance(c.value, str):
        return f'{c.fact} {c.op} "{c.value}"'
    return f"{c.fact} {c.op} {c.value}"


def pack_yaml(rules: Rules) -> str:
    """The rules as an outreach_rules pack; each text reads the first fact of its rule."""
    facts: dict[str, Any] = {name: {"type": "bool"} for name in BOOLS}
    facts |= {name: {"type": "int"} for name in INTS}
    facts |= {name: {"type": "enum", "values": list(LETTERS)} for name in ENUMS}
    pack = {
        "pack": f"peers{len(rules)}",
        "version": "1.0.0",
        "title": f"A generated pack of {len(rules)} recommendations",
        "sources": {"guide": {"title": "A guide", "sections": ["Basics"]}},
        "facts": facts,
        "rules": [
            {
                "id": f"r{index}",
                "when": " and ".join(_condition(c) for c in rule),
                "priority": index % 7,
                "recommend": {
                    "topic": "t",
                    "text": f"Advice {index} for {{{{ {rule[0].fact} }}}}.",
                },
                "rationale": "Generated.",
                "cite": {"source": "guide", "section": "Basics"},
            }
            for index, rule in enumerate(rules)
        ],
    }
    return yaml.safe_dump(pack, sort_keys=False)


def _cell(c: Comparison) -> str:
    if isinstance(c.value, bool):
        return "true" if c.value else "false"
    shown = f'"{c.value}"' if isinstance(c.value, str) else str(c.value)
    return f"$ {c.op} {shown}"


def decision_table(rules: Rules) -> str:
    """The rules as a zen-engine decision graph: one table, a column per fact, a row per
    rule, every matching row collected."""
    columns = BOOLS + INTS + ENUMS
    rows = []
    for index, rule in enumerate(rules):
        row = {f"in_{name}": "" for name in columns}  # an empty cell matches anything
        row |= {f"in_{c.fact}": _cell(c) for c in rule}
        rows.append({"_id": f"r{index}", **row, "out_rule": f'"r{index}"'})
    table = {
        "hitPolicy": "collect",
        "inputs": [{"id": f"in_{name}", "name": name, "field": name} for name in columns],
        "outputs": [{"id": "out_rule", "name": "rule", "field": "rule"}],
        "rules": rows,
    }
    here = {"x": 0, "y": 0}
    nodes = [
        {"id": "request", "type": "inputNode", "name": "request", "position": here},
        {
            "id": "rules",
            "type": "decisionTableNode",
            "name": "rules",
            "position": here,
            "content": table,
        },
        {"id": "response", "type": "outputNode", "name": "response", "position": here},
    ]
    edges = [
        {"id": "e1", "sourceId": "request", "targetId": "rules", "type": "edge"},
        {"id": "e2", "sourceId": "rules", "targetId": "response", "type": "edge"},
    ]
    return json.dumps({"nodes": nodes, "edges": edges})


def python_source(rules: Rules) -> str:
    """The rules as one Python function of a situation that returns the ids that hold."""

    def test(c: Comparison) -> str:
        if isinstance(c.value, bool):
            return f"s[{c.fact!r}] is {c.value}"
        return f"s[{c.fact!r}] {c.op} {c.value!r}"

    lines = ["def fire(s):", "    fired = []"]
    for index, rule in enumerate(rules):
        lines.append(f"    if {' and '.join(test(c) for c in rule)}:")
        lines.append(f"        fired.append('r{index}')")
    lines.append("    return fired")
    return "\n".join(lines) + "\n"


def limit_function(rules: Rules) -> Callable[[dict[str, Any]], list[str]]:
    """The generated function, compiled."""
    namespace: dict[str, Any] = {}
    # The source is made above from the benchmark's own generated rules, nothing else.
    exec(compile(python_source(rules), "<limit>", "exec"), namespace)  # noqa: S102
    fire: Callable[[dict[str, Any]], list[str]] = namespace["fire"]
    return fire


def zen_engine(rules: Rules) -> Any | None:
    """A ZenEngine that loads the decision table, or None when zen-engine is not installed."""
    try:
        import zen  # noqa: PLC0415 - an optional benchmark dependency
    except ImportError:
        return None
    # The table parsed once, as zen-engine's documentation advises: a loader that returns
    # the JSON text would have it parsed again on every evaluation.
    content = zen.ZenDecisionContent(decision_table(rules))
    return zen.ZenEngine({"loader": lambda _key: content})


def zen_fired(engine: Any, situation: dict[str, Any]) -> list[str]:
    result = engine.evaluate("rules", situation)["result"]
    return [item["rule"] for item in result]


def read_everything(advice: orr.Advice) -> int:
    """Read the text and every reason in words of every recommendation; their count."""
    read = 0
    for item in advice.recommendations:
        read += len(item.text) + sum(len(reason.text) for reason in item.because)
    return read


# ---------------------------------------------------------------- the measurement
TODAY = "2026-03-02"
Throughput = Callable[
    [dict[str, Callable[[int], Any]], int, float, int], tuple[dict[str, float], int]
]


def verified_modes(
    rules: Rules, engine: orr.Engine, zen: Any | None, cases: list[dict[str, Any]]
) -> dict[str, Callable[[int], Any]]:
    """The timed modes, once every evaluator's fired set is checked on every situation."""
    fire = limit_function(rules)
    for number, situation in enumerate(cases):
        expected = reference(rules, situation)
        advice = engine.evaluate(situation, today=TODAY)
        bare = engine.evaluate(situation, today=TODAY, trace=False)
        found = {
            "limit": fire(situation),
            "python": sorted((r.rule_id for r in advice.recommendations), key=_order),
            "python_notrace": sorted((r.rule_id for r in bare.recommendations), key=_order),
        }
        if zen is not None:
            found["zen"] = zen_fired(zen, situation)
        for name, fired in found.items():
            if fired != expected:
                raise AssertionError(
                    f"{len(rules)} rules, situation {number}: {name} fired {fired}, "
                    f"the reference {expected}"
                )
    modes: dict[str, Callable[[int], Any]] = {
        "python": lambda i: engine.evaluate(cases[i], today=TODAY),
        "python_notrace": lambda i: engine.evaluate(cases[i], today=TODAY, trace=False),
        "python_read": lambda i: read_everything(engine.evaluate(cases[i], today=TODAY)),
        "limit": lambda i: fire(cases[i]),
    }
    if zen is not None:
        modes["zen"] = lambda i: zen_evaluate(zen, cases[i])
    return modes


def zen_evaluate(engine: Any, situation: dict[str, Any]) -> Any:
    return engine.evaluate("rules", situation)


def _order(rule_id: str) -> int:
    return int(rule_id[1:])


def load_ms(path: Path, repeats: int) -> tuple[float, float]:
    """Median milliseconds of loading and compiling a pack, and of its first evaluation."""
    loads, firsts = [], []
    case = situations(1, 0)[0]
    for _ in range(repeats):
        start = time.perf_counter()
        engine = orr.Engine.from_paths(path, backend="python")
        loaded = time.perf_counter()
        engine.evaluate(case, today=TODAY)
        loads.append((loaded - start) * 1000)
        firsts.append((time.perf_counter() - loaded) * 1000)
    return statistics.median(loads), statistics.median(firsts)


# One fresh process: import the library, then time the first load of a pack in it (the
# bundled pack for "-") and that engine's first evaluation of a situation (given as JSON).
FRESH = """
import json, sys, time
import outreach_rules as orr
path, case, today = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
start = time.perf_counter()
engine = orr.Engine.default() if path == "-" else orr.Engine.from_paths(path, backend="python")
loaded = time.perf_counter()
if case is not None:
    engine.evaluate(case, today=today)
print(json.dumps([(loaded - start) * 1000, (time.perf_counter() - loaded) * 1000]))
"""


def fresh_load_ms(
    path: Path | None, repeats: int, case: dict[str, Any] | None = None
) -> tuple[float, float]:
    """Median milliseconds of the first load of a pack in a fresh process (the bundled pack
    when `path` is None), the library imported beforehand, and of that engine's first
    evaluation of `case`: nothing is remembered from an earlier load, as in a command-line
    run. `load_ms` times loads repeated in one process instead."""
    loads, firsts = [], []
    for _ in range(repeats):
        argv = [sys.executable, "-c", FRESH, str(path) if path else "-", json.dumps(case), TODAY]
        run = subprocess.run(argv, capture_output=True, text=True, check=True)  # noqa: S603 - this interpreter, fixed script
        load, first = json.loads(run.stdout.strip().splitlines()[-1])
        loads.append(load)
        firsts.append(first)
    return statistics.median(loads), statistics.median(firsts)


def zen_load_ms(rules: Rules, repeats: int) -> float | None:
    """Median milliseconds of a zen-engine's first evaluation of the table (it loads then)."""
    times = []
    case = situations(1, 0)[0]
    for _ in range(repeats):
        start = time.perf_counter()
        zen = zen_engine(rules)
        if zen is None:
            return None
        zen_evaluate(zen, case)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def compare(
    sizes: Sequence[int],
    count: int,
    seconds: float,
    rounds: int,
    loads: int,
    seed: int,
    throughput: Throughput,
) -> dict[str, Any]:
    """One row per rule count: evaluations/s of every mode (interleaved rounds, the best of
    each), ratios to zen-engine, load times; and the figures of the 30- and 100-rule packs
    at the top level."""
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for rules_count in (*sizes, *(() if 100 in sizes else (100,))):
            rules = workload(rules_count, seed + rules_count)
            path = Path(folder) / f"peers{rules_count}.yaml"
            path.write_text(pack_yaml(rules), encoding="utf-8")
            load, first = load_ms(path, loads)
            if rules_count == 100:
                cold = fresh_load_ms(path, loads, situations(1, 0)[0])
            row: dict[str, Any] = {
                "rules": rules_count,
                "load_ms": load,
                "first_evaluate_ms": first,
                "zen_load_ms": zen_load_ms(rules, loads),
            }
            if rules_count in sizes:
                row |= _rates(rules, path, count, seconds, rounds, seed, throughput)
            rows.append(row)
    by_rules = {row["rules"]: row for row in rows}
    top = by_rules.get(30, rows[0])
    results: dict[str, Any] = {
        "peers": [row for row in rows if row["rules"] in sizes],
        "zen_installed": zen_engine([]) is not None,
        "load_100_ms": by_rules[100]["load_ms"],
        "first_evaluate_100_ms": by_rules[100]["first_evaluate_ms"],
        "load_100_cold_ms": cold[0],
        "first_evaluate_100_cold_ms": cold[1],
    }
    for key in ("zen_per_s", "python_vs_zen", "notrace_vs_zen", "read_vs_zen", "limit_vs_zen"):
        results[key] = top.get(key)
    results["python_vs_zen_300"] = by_rules.get(300, {}).get("python_vs_zen")
    return results


def _rates(
    rules: Rules,
    path: Path,
    count: int,
    seconds: float,
    rounds: int,
    seed: int,
    throughput: Throughput,
) -> dict[str, Any]:
    engine = orr.Engine.from_paths(path, backend="python")
    cases = situations(count, seed + 1)
    modes = verified_modes(rules, engine, zen_engine(rules), cases)
    best, _ = throughput(modes, len(cases), seconds, rounds)
    fired = [len(reference(rules, case)) for case in cases]
    row: dict[str, Any] = {"fired_mean": statistics.fmean(fired)}
    row |= {f"{name}_per_s": value for name, value in best.items()}
    zen = best.get("zen")
    for name, key in (
        ("python", "python_vs_zen"),
        ("python_notrace", "notrace_vs_zen"),
        ("python_read", "read_vs_zen"),
        ("limit", "limit_vs_zen"),
    ):
        row[key] = best[name] / zen if zen else None
    row["zen_per_s"] = zen
    return row


MODES = {
    "python": "`Engine.evaluate`, python, trace",
    "python_notrace": "`Engine.evaluate`, python, `trace=False`",
    "python_read": "the same with trace, every text and reason read",
    "limit": "plain-Python limit (one generated function)",
}


def report(results: dict[str, Any]) -> str:
    """The comparison as a Markdown table: evaluations/s and the ratio to zen-engine."""
    rows = results["peers"]
    lines = [
        (
            "Generated workload: 20 facts (8 yes/no, 6 numbers, 6 choices), rules of 2-4 "
            "comparisons, each a recommendation; every fired set checked against a reference."
        ),
        "",
    ]
    if not results["zen_installed"]:
        lines += [
            (
                "zen-engine is not installed (`pip install 'outreach-rules[bench]'`): the "
                "comparison with it is skipped."
            ),
            "",
        ]
    header = " | ".join(f"R={row['rules']}" for row in rows)
    lines += [f"| evaluations/s (vs zen-engine) | {header} |", "|---" + "|---:" * len(rows) + "|"]
    names = {"zen": "zen-engine `ZenEngine.evaluate`, no explanation", **MODES}
    for key, name in names.items():
        cells = []
        for row in rows:
            per_s, zen = row.get(f"{key}_per_s"), row.get("zen_per_s")
            if per_s is None:
                cells.append("n/a")
            else:
                cells.append(f"{per_s:,.0f}" + (f" ({per_s / zen:.2f}x)" if zen else ""))
        lines.append(f"| {name} | {' | '.join(cells)} |")
    loads = " | ".join(f"{row['load_ms']:.1f}" for row in rows)
    firsts = " | ".join(f"{row['first_evaluate_ms']:.1f}" for row in rows)
    zen_loads = " | ".join(
        "n/a" if row["zen_load_ms"] is None else f"{row['zen_load_ms']:.1f}" for row in rows
    )
    lines += [
        f"| load + compile, ms | {loads} |",
        f"| first evaluation, ms | {firsts} |",
        f"| zen-engine load + first evaluation, ms | {zen_loads} |",
        "",
        (
            f"- load + compile of the 100-rule pack: {results['load_100_ms']:.1f} ms; its first "
            f"evaluation {results['first_evaluate_100_ms']:.1f} ms (medians of loads repeated "
            "in this process, as in the table)"
        ),
        (
            f"- the same as the first load in a fresh process: {results['load_100_cold_ms']:.1f}"
            f" ms; that engine's first evaluation {results['first_evaluate_100_cold_ms']:.1f} ms"
        ),
    ]
    return "\n".join(lines) + "\n"
