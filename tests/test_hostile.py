"""Hostile packs: each is refused with a clear RulebookError, in bounded time and memory.

Every case runs in its own interpreter under a 1 GiB address-space limit
(`RLIMIT_AS`) and a timeout, so a case that blows up fails its test instead of taking the
test run (or the machine) down with it. The child builds the pack itself (a 10 MB file need
not cross a pipe), loads it with `Engine.from_paths` and reports, as one JSON line, whether
it was refused (with the message), loaded (and what evaluating gave) or crashed, with the
time taken and the peak memory. docs/limits.md lists the limits these cases run into.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

pytestmark = pytest.mark.skipif(
    sys.platform != "linux", reason="RLIMIT_AS bounds memory on Linux only"
)

GIB = 1 << 30
TIMEOUT = 120  # seconds: the hard stop; each case asserts a much lower bound itself
TESTS = Path(__file__).resolve().parent

CHILD = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, sys.argv[1])
    import test_hostile
    test_hostile.child(sys.argv[2], sys.argv[3])
    """
)


# ---------------------------------------------------------------- building hostile packs
def pack(
    rules: list[dict[str, Any]],
    facts: dict[str, Any] | None = None,
    derived: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A pack with one source, one decision and the given rules, facts and derived facts."""
    return {
        "pack": "hostile",
        "version": "1",
        "title": "Hostile",
        "sources": {"guide": {"title": "A guide", "sections": ["Basics"]}},
        "decisions": {"go": {"title": "Go"}},
        "facts": facts if facts is not None else {"ready": {"type": "bool"}},
        "derived": derived or {},
        "rules": rules,
    }


def rule(name: str, when: str = "ready", **extra: Any) -> dict[str, Any]:
    return {
        "id": name,
        "when": when,
        "recommend": {"topic": "t", "text": "Advice."},
        "rationale": "Because.",
        "cite": {"source": "guide", "section": "Basics"},
        **extra,
    }


def dump(data: Any) -> bytes:
    return yaml.safe_dump(data, sort_keys=False).encode("utf-8")


HEAD = b'pack: hostile\nversion: "1"\ntitle: Hostile\n'
MINIMAL = (TESTS / "data" / "packs" / "minimal.yaml").read_bytes()
TAGS = {
    "object/apply": "!!python/object/apply:os.system ['touch {marker}']",
    "object/new": "!!python/object/new:os.system ['touch {marker}']",
    "object": "!!python/object:os.system {{}}",
    "name": "!!python/name:os.system",
    "module": "!!python/module:os",
    "tuple": "!!python/tuple [a, b]",
    "verbatim": "!<tag:yaml.org,2002:python/object/apply:os.system> ['touch {marker}']",
    "binary": "!!binary aGVsbG8=",
    "set": "!!set {{a, b}}",
    "omap": "!!omap [a: 1]",
    "local": "!custom x",
}


def _tags(tmp: Path) -> list[tuple[str, bytes]]:
    inputs = []
    for name, tag in TAGS.items():
        value = tag.format(marker=tmp / "ran")
        inputs.append((name, HEAD + f"description: {value}\n".encode()))
    directive = "%TAG !p! tag:yaml.org,2002:python/\n---\n"
    body = f"pack: !p!object/apply:os.system ['touch {tmp / 'ran'}']\n"
    inputs.append(("tag-directive", (directive + body).encode()))
    inputs.append(("tag-on-key", HEAD + b"? !!python/name:os.system x\n: 1\n"))
    return inputs


def _alias_bomb(_tmp: Path) -> list[tuple[str, bytes]]:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in "bcdefghi":
        previous = chr(ord(level) - 1)
        lines.append(f"{level}: &{level} [" + ", ".join([f"*{previous}"] * 9) + "]")
    # The same bomb made of mappings, and one that hides behind a merge key.
    mappings = ["m0: &m0 {a: x, b: x, c: x, d: x, e: x, f: x, g: x, h: x, i: x}"]
    for level in range(1, 9):
        items = ", ".join(f"k{n}: *m{level - 1}" for n in range(9))
        mappings.append(f"m{level}: &m{level} {{{items}}}")
    return [
        ("sequences", ("\n".join(lines) + "\n").encode()),
        ("mappings", ("\n".join(mappings) + "\n").encode()),
        ("merge-key", ("\n".join(mappings) + "\nz:\n  <<: *m8\n").encode()),
    ]


def _big_file(_tmp: Path) -> list[tuple[str, bytes]]:
    description = b"x" * 10_000_000
    return [("10MB", HEAD + b"description: " + description + b"\n")]


def _many_nodes(_tmp: Path) -> list[tuple[str, bytes]]:
    items = b", ".join([b"0"] * 300_000)  # 900 kB, under the size limit
    return [("300k-nodes", HEAD + b"disable: [" + items + b"]\n")]


def _deep(_tmp: Path) -> list[tuple[str, bytes]]:
    depth = 10_000
    block_map = "".join(" " * level + "a:\n" for level in range(1_500)) + " " * 1_500 + "x\n"
    return [
        ("flow-sequence", ("[" * depth + "]" * depth).encode()),
        ("flow-mapping", ("{a: " * depth + "}" * depth).encode()),
        ("flow-101", ("[" * 101 + "]" * 101).encode()),
        ("block-sequence", ("- " * depth + "x\n").encode()),
        ("block-mapping", block_map.encode()),
        ("in-a-rule", HEAD + b"rules:\n  - id: r\n    when: " + b"[" * depth + b"]" * depth),
    ]


def _not_utf8(_tmp: Path) -> list[tuple[str, bytes]]:
    return [
        ("latin-1", MINIMAL.replace(b"title: Minimal pack", b"title: Caf\xe9")),
        ("utf-16", MINIMAL.decode("utf-8").encode("utf-16")),
        ("random-bytes", bytes(range(256)) * 4),
        ("lone-continuation", HEAD + b"description: \x80\n"),
    ]


def _control_characters(_tmp: Path) -> list[tuple[str, bytes]]:
    return [
        ("nul", HEAD + b"description: a\x00b\n"),
        ("escape", HEAD + b"description: a\x1bb\n"),
        ("escaped-surrogate", HEAD + b'description: "\\ud800"\n'),
    ]


def _rules(count: int) -> Callable[[Path], list[tuple[str, bytes]]]:
    def build(_tmp: Path) -> list[tuple[str, bytes]]:
        facts = {f"f{n}": {"type": "bool"} for n in range(20)}
        # With every fact true, the even rules fire and the odd ones do not.
        conditions = ("f{} and f{}", "f{} and not f{}")
        rules = [
            rule(f"r{n}", conditions[n % 2].format(n % 20, (n + 3) % 20)) for n in range(count)
        ]
        return [(f"{count}-rules", dump(pack(rules, facts)))]

    return build


def _wide_rules(_tmp: Path) -> list[tuple[str, bytes]]:
    facts = {name: {"type": "bool"} for name in "abcdefghij"}
    # Each rule within its own limit (32 alternatives); the pack at 160,000 durable rules.
    when = " and ".join(f"({x} or {y})" for x, y in ["ab", "cd", "ef", "gh", "ij"])
    rules = [rule(f"r{n}", when) for n in range(5_000)]
    return [("5000-rules-of-32-alternatives", dump(pack(rules, facts)))]


def _too_many_attributes(_tmp: Path) -> list[tuple[str, bytes]]:
    facts = {f"f{n}": {"type": "bool"} for n in range(300)}
    rules = [rule(f"r{n}", " and ".join(f"f{5 * n + k}" for k in range(5))) for n in range(60)]
    return [("300-attributes", dump(pack(rules, facts)))]


def _conditions(_tmp: Path) -> list[tuple[str, bytes]]:
    bools = {name: {"type": "bool"} for name in "abcdefghijkl"}
    pairs = " and ".join(f"({x} or {y})" for x, y in ["ab", "cd", "ef", "gh", "ij", "kl"])
    cases = {
        "10k-characters": "a and " * 2_000 + "a",
        "deep-not": "not " * 450 + "a",
        "deep-parentheses": "(" * 300 + "a" + ")" * 300,
        "201-parts": " and ".join(["a"] * 101),
        "64-alternatives": pairs,
    }
    return [(name, dump(pack([rule("r", when)], bools))) for name, when in cases.items()]


def _cycle(length: int) -> Callable[[Path], list[tuple[str, bytes]]]:
    def build(_tmp: Path) -> list[tuple[str, bytes]]:
        derived = {f"d{n}": {"type": "bool"} for n in range(length)}
        rules = [rule(f"r{n}", f"d{(n - 1) % length}", set={f"d{n}": True}) for n in range(length)]
        return [(f"cycle-of-{length}", dump(pack(rules, derived=derived)))]

    return build


def _cycle_through_two_facts(_tmp: Path) -> list[tuple[str, bytes]]:
    derived = {"even": {"type": "bool"}, "odd": {"type": "bool"}}
    rules = [
        rule(f"r{n}", "odd" if n % 2 else "even", set={"even" if n % 2 else "odd": True})
        for n in range(1_500)
    ]
    return [("1500-setters", dump(pack(rules, derived=derived)))]


def _chain(length: int) -> Callable[[Path], list[tuple[str, bytes]]]:
    def build(_tmp: Path) -> list[tuple[str, bytes]]:
        derived = {f"d{n}": {"type": "bool"} for n in range(length)}
        rules = [rule("r0", "ready", set={"d0": True})]
        rules += [rule(f"r{n}", f"d{n - 1}", set={f"d{n}": True}) for n in range(1, length)]
        return [(f"chain-of-{length}", dump(pack(rules, derived=derived)))]

    return build


CASES: dict[str, Callable[[Path], list[tuple[str, bytes]]]] = {
    "tags": _tags,
    "alias-bomb": _alias_bomb,
    "10MB": _big_file,
    "many-nodes": _many_nodes,
    "deep": _deep,
    "not-utf8": _not_utf8,
    "control-characters": _control_characters,
    "5000-rules": _rules(5_000),
    "5001-rules": _rules(5_001),
    "wide-rules": _wide_rules,
    "attributes": _too_many_attributes,
    "conditions": _conditions,
    "cycle": _cycle(3),
    "long-cycle": _cycle(1_500),
    "cycle-through-two-facts": _cycle_through_two_facts,
    "derived-chain": _chain(1_000),
    "longer-derived-chain": _chain(1_500),
}


# ---------------------------------------------------------------- the child process
# Cases whose loading is counted in Python function calls (a profile hook slows loading
# several times over, so only where the work is not already bounded by parse events).
COUNT_CALLS = {"5001-rules", "cycle", "cycle-through-two-facts"}


def child(case: str, folder: str) -> None:
    """Load each input of a case; print one JSON line per input, with the work it took:
    YAML parse events read, Python calls made (for COUNT_CALLS) and peak memory."""
    import outreach_rules as orr
    from outreach_rules import _yaml
    from outreach_rules._durable import available

    work = {"events": 0, "calls": 0}

    class CountingLoader(_yaml._Loader):  # type: ignore[misc,name-defined]
        def get_event(self) -> Any:
            event = super().get_event()
            work["events"] += event is not None
            return event

    def count_call(_frame: Any, event: str, _arg: Any) -> None:
        if event == "call":
            work["calls"] += 1

    _yaml._Loader = CountingLoader
    tmp = Path(folder)
    for label, data in CASES[case](tmp):
        path = tmp / f"{label.replace('/', '-')}.yaml"
        path.write_bytes(data)
        del data
        work.update(events=0, calls=0)
        result: dict[str, Any] = {"label": label}
        if case in COUNT_CALLS:
            sys.setprofile(count_call)
        try:
            engine = orr.Engine.from_paths(path, backend="python")
        except orr.RulebookError as error:
            result |= {"outcome": "refused", "message": str(error)}
            result["codes"] = [problem.code for problem in error.problems]
        except BaseException as error:  # noqa: BLE001 - reported to the parent
            result |= {"outcome": "crash", "message": f"{type(error).__name__}: {error}"}
        else:
            sys.setprofile(None)
            result |= {"outcome": "loaded", "evaluated": _evaluate(engine, available())}
        finally:
            sys.setprofile(None)
        result |= work
        result["peak_mb"] = _peak_mb()
        result["ran"] = (tmp / "ran").exists()
        print(json.dumps(result), flush=True)  # noqa: T201 - the report to the parent


def _peak_mb() -> float:
    """The peak resident memory of this process (VmHWM: unlike ru_maxrss, it does not
    inherit the parent's peak across fork and exec)."""
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _evaluate(engine: Any, durable: bool) -> dict[str, Any]:
    """The rules fired for an empty situation and for one with every bool fact true, on
    both backends (one compiled plan), after one evaluation into advice (without the trace:
    see test_a_long_chain_of_derived_facts_is_explained_in_bounded_time)."""
    import datetime

    today = datetime.date(2026, 3, 2)
    full = {name: True for name, spec in engine.rulebook.spec.facts.items() if spec.type == "bool"}
    results: dict[str, Any] = {}
    for backend in ["python", *(["durable"] if durable else [])]:
        try:
            if backend == "python":
                engine.evaluate(full, today=today, trace=False)
            for name, situation in (("empty", {}), ("full", full)):
                _, fired = engine.run(situation, today, backend=backend)
                results[f"{backend}/{name}"] = [engine.program.rules[i].id for i in fired]
        except BaseException as error:  # noqa: BLE001 - reported to the parent
            results[f"{backend}/error"] = f"{type(error).__name__}: {error}"
    engine.close()
    return results


# ---------------------------------------------------------------- the parent
def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (GIB, GIB))


def run(case: str, tmp_path: Path) -> dict[str, dict[str, Any]]:
    """Run a case in a child under the memory limit; its results by input label."""
    started = time.perf_counter()
    process = subprocess.run(
        [sys.executable, "-c", CHILD, str(TESTS), case, str(tmp_path)],
        preexec_fn=_limit_memory,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert process.returncode == 0, (
        f"case {case} died ({process.returncode}) after {time.perf_counter() - started:.1f} s:"
        f"\n{process.stderr[-3000:]}"
    )
    results = [json.loads(line) for line in process.stdout.splitlines() if line.startswith("{")]
    return {result["label"]: result for result in results}


def assert_refused(
    result: dict[str, Any], *needles: str, events: int | None = None, calls: int | None = None
) -> None:
    """The input was refused, the message contains every needle, and the loader read at
    most `events` YAML parse events and made at most `calls` Python calls (when given)."""
    assert result["outcome"] == "refused", f"{result['label']}: {result}"
    for needle in needles:
        assert needle in result["message"], f"{result['label']}: {result['message']}"
    if events is not None:
        assert result["events"] <= events, f"{result['label']}: {result['events']} events"
    if calls is not None:
        assert result["calls"] <= calls, f"{result['label']}: {result['calls']} calls"
    assert not result["ran"], "a YAML tag ran a command"


def _assert_durable_agrees(evaluated: dict[str, Any]) -> None:
    """Where durable_rules can be imported, the child must have run it, and it fired the
    same rules as the python backend; elsewhere there is nothing to compare."""
    from outreach_rules._durable import available

    if not available():
        assert not any(key.startswith("durable/") for key in evaluated), evaluated
        return
    assert evaluated["durable/full"] == evaluated["python/full"]
    assert evaluated["durable/empty"] == evaluated["python/empty"]


# ---------------------------------------------------------------- the cases
def test_python_object_tags_are_refused(tmp_path: Path) -> None:
    """Protects against code execution and object construction through YAML tags: every tag
    outside the plain-data ones is refused by name, and the command in it never runs."""
    results = run("tags", tmp_path)
    for name in TAGS:
        assert_refused(results[name], "is not allowed: packs hold plain data only")
    assert_refused(results["object/apply"], "'tag:yaml.org,2002:python/object/apply:os.system'")
    assert_refused(results["local"], "YAML tag '!custom' is not allowed")
    assert_refused(results["tag-directive"], "python/object/apply:os.system' is not allowed")
    assert_refused(results["tag-on-key"], "python/name:os.system' is not allowed")


def test_alias_bombs_stop_at_the_node_limit(tmp_path: Path) -> None:
    """Protects against "billion laughs": aliases are charged by the size of what they stand
    for, so 9^9 expanded nodes are refused after 200,000 without being built."""
    results = run("alias-bomb", tmp_path)
    for result in results.values():
        assert_refused(result, "the document has more than 200,000 nodes (aliases included)")
    assert {result["label"] for result in results.values()} == {
        "sequences",
        "mappings",
        "merge-key",
    }


def test_a_10_mb_file_is_refused_before_parsing(tmp_path: Path) -> None:
    """Protects the size limit: a file over 2 MB is refused by its size, unread."""
    result = run("10MB", tmp_path)["10MB"]
    assert_refused(result, "file is 10,000,056 bytes; the limit is 2,000,000", events=0)
    assert result["peak_mb"] < 200


def test_a_10_mb_text_is_refused_too() -> None:
    """Protects the size limit of packs given as text (`load_pack_text`), not only files."""
    import outreach_rules as orr
    from outreach_rules._rulebook import load_pack_text

    with pytest.raises(orr.RulebookError, match="bytes; the limit is 2,000,000"):
        load_pack_text(HEAD.decode() + "description: " + "é" * 1_000_001 + "\n")


def test_too_many_nodes_are_refused(tmp_path: Path) -> None:
    """Protects the node limit: 300,000 small scalars in a file under 2 MB."""
    result = run("many-nodes", tmp_path)["300k-nodes"]
    assert_refused(result, "more than 200,000 nodes", events=200_010)


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    """Protects the nesting limit against 10,000 levels, in flow and in block style (and
    1,500 levels of indented mappings), without exhausting the stack."""
    results = run("deep", tmp_path)
    # libyaml has its own limit of 1,000 levels for flow collections; it may speak first.
    assert_refused(results["flow-sequence"], "nesting")
    assert_refused(results["flow-mapping"], "nesting")
    assert_refused(results["in-a-rule"], "nesting")
    assert_refused(results["flow-101"], "1:101: nesting is deeper than 100 levels", events=110)
    assert_refused(results["block-sequence"], "1:201: nesting is deeper than 100 levels")
    assert_refused(results["block-mapping"], "101:101: nesting is deeper than 100 levels")
    for result in results.values():  # stopped at the limit, never deeper
        assert result["events"] <= 210, f"{result['label']}: {result['events']} events"


def test_files_that_are_not_utf8_are_refused(tmp_path: Path) -> None:
    """Protects the encoding check: the first bad byte is named with its line and column."""
    results = run("not-utf8", tmp_path)
    assert_refused(results["latin-1"], "latin-1.yaml:4:11: file is not valid UTF-8 (byte 0xe9)")
    assert_refused(results["utf-16"], "file is not valid UTF-8 (byte 0xff)")
    assert_refused(results["random-bytes"], "file is not valid UTF-8 (byte 0x80)")
    assert_refused(results["lone-continuation"], ":4:14: file is not valid UTF-8 (byte 0x80)")


def test_control_characters_are_refused(tmp_path: Path) -> None:
    """Protects against characters that have no place in a pack: NUL, escape, lone
    surrogates written as escapes."""
    results = run("control-characters", tmp_path)
    assert_refused(results["nul"], "invalid YAML", "control characters are not allowed")
    assert_refused(results["escape"], "invalid YAML", "control characters are not allowed")
    assert_refused(results["escaped-surrogate"], "invalid YAML")


def test_5000_rules_load_and_evaluate_on_both_backends(tmp_path: Path) -> None:
    """Protects the documented maximum: 5,000 rules load, and both backends evaluate them
    (the durable rulesets split into chunks of 48 rules) and agree."""
    result = run("5000-rules", tmp_path)["5000-rules"]
    assert result["outcome"] == "loaded", result
    evaluated = result["evaluated"]
    assert not any(key.endswith("/error") for key in evaluated), evaluated
    assert evaluated["python/empty"] == []
    assert evaluated["python/full"] == [f"r{n}" for n in range(0, 5_000, 2)]
    if "durable/full" in evaluated:
        assert evaluated["durable/full"] == evaluated["python/full"]
        assert evaluated["durable/empty"] == evaluated["python/empty"]
    assert result["peak_mb"] < 500  # measured: about 250 MB (docs/limits.md)


def test_5001_rules_are_refused(tmp_path: Path) -> None:
    """Protects the rule limit: one rule more than 5,000 is a clear error, not a slow load."""
    result = run("5001-rules", tmp_path)["5001-rules"]
    # Measured: 1.8 million calls (about 360 per rule, the rules are read and counted).
    assert_refused(result, "the pack has 5,001 rules; the limit is 5,000", calls=4_000_000)
    assert result["codes"] == ["limit"]


def test_5000_rules_of_32_alternatives_are_refused(tmp_path: Path) -> None:
    """Protects the pack-wide limit of durable rules: 5,000 rules of 32 alternatives each
    (160,000 durable rules, which durable_rules would need some 2.6 GB for) are refused
    with the count and the rules to simplify, before any ruleset is built."""
    result = run("wide-rules", tmp_path)["5000-rules-of-32-alternatives"]
    assert_refused(
        result,
        "the pack expands to 160,000 durable rules",
        "the limit is 20,000",
        "The rules with the most alternatives: r0 (32), r1 (32), r2 (32), r3 (32), r4 (32)",
    )
    assert result["codes"] == ["limit"]
    assert result["peak_mb"] < 400


def test_rules_over_200_attributes_are_split_into_rulesets(tmp_path: Path) -> None:
    """Protects the attribute limit of a durable ruleset: 60 rules that read 5 facts each
    (300 attributes, more than one ruleset holds) load, are split into rulesets of at most
    200 attributes, and both backends fire every rule when every fact is true."""
    result = run("attributes", tmp_path)["300-attributes"]
    assert result["outcome"] == "loaded", result
    evaluated = result["evaluated"]
    assert not any(key.endswith("/error") for key in evaluated), evaluated
    assert evaluated["python/full"] == [f"r{n}" for n in range(60)]
    assert evaluated["python/empty"] == []
    _assert_durable_agrees(evaluated)


def test_oversized_conditions_are_refused(tmp_path: Path) -> None:
    """Protects the limits of a condition: length, parts, nesting and alternatives."""
    results = run("conditions", tmp_path)
    assert_refused(results["10k-characters"], "condition is longer than 2000 characters")
    assert_refused(results["deep-not"], "condition has more than 200 parts; split the rule")
    assert_refused(results["deep-parentheses"], "invalid condition")
    assert_refused(results["201-parts"], "condition has more than 200 parts")
    assert_refused(results["64-alternatives"], "the condition expands to more than 32 alternatives")


def test_rules_that_retrigger_each_other_are_refused(tmp_path: Path) -> None:
    """Protects against forward-chaining loops: a cycle through derived facts is named."""
    result = run("cycle", tmp_path)["cycle-of-3"]
    assert_refused(
        result,
        "rules re-trigger each other through derived facts: r0 reads d2, which r2 sets; "
        "r2 reads d1, which r1 sets; r1 reads d0, which r0 sets",
    )
    assert result["codes"][0] == "cycle"


def test_a_long_cycle_is_refused(tmp_path: Path) -> None:
    """Protects cycle detection on long cycles (1,500 rules through 1,500 derived facts)."""
    assert_refused(run("long-cycle", tmp_path)["cycle-of-1500"], "re-trigger each other")


def test_a_cycle_with_many_setters_is_refused(tmp_path: Path) -> None:
    """Protects cycle detection when 1,500 rules set and read two derived facts in turn."""
    result = run("cycle-through-two-facts", tmp_path)["1500-setters"]
    # Measured: 1.1 million calls; a search that retraced paths per setter would need far more.
    assert_refused(result, "re-trigger each other", calls=2_500_000)


def test_a_long_chain_of_derived_facts_loads_and_evaluates(tmp_path: Path) -> None:
    """Protects forward chaining over 1,000 strata (each rule reads what the one before
    sets): the pack loads, evaluates on both backends and the whole chain fires."""
    result = run("derived-chain", tmp_path)["chain-of-1000"]
    assert result["outcome"] == "loaded", result
    evaluated = result["evaluated"]
    assert not any(key.endswith("/error") for key in evaluated), evaluated
    assert len(evaluated["python/full"]) == 1_000
    _assert_durable_agrees(evaluated)
    assert result["peak_mb"] < 500, result["peak_mb"]


def test_a_longer_chain_of_derived_facts_evaluates(tmp_path: Path) -> None:
    """Protects evaluation of a chain of 1,500 derived facts (there is no limit on chains):
    the reasons behind the last recommendation are gathered without recursing per link."""
    result = run("longer-derived-chain", tmp_path)["chain-of-1500"]
    assert result["outcome"] == "loaded", result
    assert not any(key.endswith("/error") for key in result["evaluated"]), result["evaluated"]


def test_a_long_chain_of_derived_facts_is_explained_in_bounded_work() -> None:
    """Protects the cost of a full explanation (trace and questions) of a chain of derived
    facts: doubling the chain from 150 to 300 facts at most quadruples the Python calls
    made (cubic work would multiply them by eight)."""
    import datetime

    import outreach_rules as orr
    from outreach_rules._rulebook import load_pack_text, merge

    def calls_to_explain(length: int) -> int:
        text = _chain(length)(Path())[0][1].decode()
        engine = orr.Engine(merge([load_pack_text(text)]), backend="python")
        engine.evaluate({"ready": True}, today=datetime.date(2026, 3, 2), trace=True)  # warm
        counted = 0

        def count(_frame: Any, event: str, _arg: Any) -> None:
            nonlocal counted
            counted += event == "call"

        sys.setprofile(count)
        try:
            advice = engine.evaluate({"ready": True}, today=datetime.date(2026, 3, 2))
            assert advice.trace is not None and len(advice.trace.rules) >= length
        finally:
            sys.setprofile(None)
        return counted

    short, long = calls_to_explain(150), calls_to_explain(300)
    assert long <= 4 * short, f"{short} calls for 150 facts, {long} for 300"
