"""The command line's error path: one line per mistake and the documented exit statuses.

Golden tests: each message is compared in full. Exit statuses (docs/cli.md): 0 success,
1 an invalid pack or situation, 2 a usage error or a file that cannot be read, 130
interrupted by Ctrl-C, 141 the reader of the output went away.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import outreach_rules as orr
from outreach_rules import cli

ROOT = Path(__file__).parent.parent
SITUATION = ROOT / "examples" / "situation.yaml"
FOLLOW_UP = ROOT / "examples" / "follow-up"
CLI = [sys.executable, "-m", "outreach_rules.cli"]


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = cli.main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["advise", "no-such-situation.yaml"],
            (
                "argument situation: no such situation file: 'no-such-situation.yaml' "
                "(see outreach-rules advise --help)"
            ),
        ),
        (
            ["advise", str(ROOT / "examples")],
            (
                f"argument situation: '{ROOT / 'examples'}' is a folder, not a situation file "
                "(see outreach-rules advise --help)"
            ),
        ),
        (
            ["advise", str(SITUATION), "--today", "03/02/2026"],
            (
                "argument --today: '03/02/2026' is not a date: write it as YYYY-MM-DD, "
                "e.g. 2026-03-02 (see outreach-rules advise --help)"
            ),
        ),
        (
            ["why", "ask_recruiter", str(SITUATION), "--today", "2026-02-30"],
            (
                "argument --today: '2026-02-30' is not a date: write it as YYYY-MM-DD, "
                "e.g. 2026-03-02 (see outreach-rules why --help)"
            ),
        ),
        (
            ["advise", str(SITUATION), "--pack", "no-such-pack.yaml"],
            (
                "argument --pack: no such pack file: 'no-such-pack.yaml' "
                "(see outreach-rules advise --help)"
            ),
        ),
        (
            ["check", "no-such-pack.yaml"],
            (
                "argument pack: no such pack file: 'no-such-pack.yaml' "
                "(see outreach-rules check --help)"
            ),
        ),
        (
            ["compile", "no-such-pack.yaml"],
            (
                "argument pack: no such pack file: 'no-such-pack.yaml' "
                "(see outreach-rules compile --help)"
            ),
        ),
        (
            ["test", "no-such-cases.yaml"],
            (
                "argument paths: no such case file: 'no-such-cases.yaml' "
                "(see outreach-rules test --help)"
            ),
        ),
        (
            ["advise"],
            "the following arguments are required: situation (see outreach-rules advise --help)",
        ),
    ],
)
def test_usage_errors_are_one_line_with_status_2(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    """Missing files, folders, bad dates and missing arguments: `error: ...`, one line, 2."""
    status, out, err = _run(capsys, *args)
    assert (status, out, err) == (2, "", f"error: {message}\n")


def test_a_folder_without_packs_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A --pack folder with no *.yaml or *.yml file is refused before anything loads."""
    status, out, err = _run(capsys, "advise", str(SITUATION), "--pack", str(tmp_path))
    assert (status, out) == (2, "")
    assert err == (
        f"error: argument --pack: no pack files (*.yaml, *.yml) in the folder '{tmp_path}' "
        "(see outreach-rules advise --help)\n"
    )


def test_an_unknown_why_target_is_one_line_without_extra_quotes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`why` with a misspelt target names it once, suggests the close names, exits 2."""
    status, out, err = _run(capsys, "why", "ask_recruitr", str(SITUATION), "--today", "2026-03-02")
    assert (status, out) == (2, "")
    assert err == (
        "error: 'ask_recruitr' is neither a decision nor a rule of this pack "
        "(did you mean 'ask_recruiter', 'ask_recruiter_first'?)\n"
    )


def test_a_malformed_situation_file_is_a_situation_error_with_its_position(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Broken YAML in a situation file is a SituationError at file:line:column, not a pack
    problem; the exit status is 1, as for any invalid situation."""
    path = tmp_path / "situation.yaml"
    path.write_text("spoke_with_recruiter: true\nchannel: [email\n", encoding="utf-8")
    status, out, err = _run(capsys, "advise", str(path), "--today", "2026-03-02")
    assert (status, out) == (1, "")
    assert err.startswith(f"error: 1 problem in the situation:\n  {path}:3:1: invalid YAML: ")
    assert "rule pack" not in err


def test_a_situation_file_that_is_not_a_mapping_names_the_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A situation file holding a list is one problem of the situation as a whole, reported
    with the file's name and without a fact label; exit status 1."""
    path = tmp_path / "situation.yaml"
    path.write_text("- spoke_with_recruiter\n- true\n", encoding="utf-8")
    status, out, err = _run(capsys, "advise", str(path), "--today", "2026-03-02")
    assert (status, out) == (1, "")
    assert err == (
        f"error: 1 problem in the situation:\n  {path}: expected a mapping of facts, got list\n"
    )


def test_an_invalid_situation_from_stdin_exits_1() -> None:
    """A situation with an unknown fact, piped in: the engine's message, exit status 1."""
    run = subprocess.run(
        [*CLI, "advise", "-", "--today", "2026-03-02"],
        input='{"spoke_with_recruitr": true}',
        capture_output=True,
        text=True,
        check=False,
    )
    assert (run.returncode, run.stdout) == (1, "")
    assert run.stderr == (
        "error: 1 invalid fact in the situation:\n"
        "  spoke_with_recruitr: unknown fact "
        "(did you mean 'spoke_with_recruiter', 'asked_recruiter'?)\n"
    )


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    """`--version` prints the package's version and exits 0."""
    with pytest.raises(SystemExit) as raised:
        cli.main(["--version"])
    assert raised.value.code == 0
    assert capsys.readouterr().out == f"outreach-rules {orr.__version__}\n"


def test_test_takes_pack_and_tells_a_pack_from_a_case_file(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`test FOLDER` passes over the pack beside the cases; `test PACK` says it is a pack;
    `test --pack PACK CASES` runs the cases against that pack."""
    status, out, _err = _run(capsys, "test", str(FOLLOW_UP))
    assert status == 0
    assert out.startswith("11 cases: 11 passed, 0 failed\n")
    pack = FOLLOW_UP / "follow-up.yaml"
    status, out, _err = _run(capsys, "test", str(pack))
    assert status == 1
    assert out.splitlines()[0] == (
        f"{pack}:5:1: case: error: this is a rule pack, not a case file (a case file holds "
        "`cases:`): name the pack in the case file's `pack:` or give it with --pack"
    )
    status, out, _err = _run(capsys, "test", "--pack", str(pack), str(FOLLOW_UP / "cases.yaml"))
    assert status == 0
    assert out.startswith("11 cases: 11 passed, 0 failed\n")


def test_test_pack_overrides_the_case_files_pack(capsys: pytest.CaptureFixture[str]) -> None:
    """With --pack, the follow-up cases run against the bundled pack instead, and fail."""
    bundled = ROOT / "rules"
    status, out, _err = _run(capsys, "test", "--pack", str(bundled), str(FOLLOW_UP / "cases.yaml"))
    assert status == 1
    assert "11 cases: 0 passed, 11 failed\ninterview-outreach 1.0.0 (rules):\n" in out
    assert out.startswith(
        "FAIL examples/follow-up/cases.yaml: answer-received\n"
        "    error: 2 invalid facts in the situation:\n"
        "      heard_back: unknown fact\n"
    )


def test_a_closed_pipe_ends_quietly_with_141() -> None:
    """The reader of the output goes away early (`| head -c 10`): no traceback, no message,
    exit status 141, as a process ended by SIGPIPE reports it."""
    with subprocess.Popen(
        [*CLI, "advise", str(SITUATION), "--today", "2026-03-02", "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        assert len(process.stdout.read(10)) == 10
        process.stdout.close()  # the JSON is about 70 KB: more than a pipe holds
        err = process.stderr.read()
        status = process.wait()
    assert (status, err) == (141, b"")


def test_ctrl_c_in_the_interview_ends_quietly_with_130() -> None:
    """SIGINT while the interview waits for an answer: no traceback, exit status 130."""
    with subprocess.Popen(
        [*CLI, "interview", "--today", "2026-03-02"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        prompt = b""
        while not prompt.endswith(b"> "):  # the first question is asked
            chunk = process.stdout.read1(1024)
            assert chunk, "the interview ended before asking"
            prompt += chunk
        os.kill(process.pid, signal.SIGINT)
        try:  # a safety net against a hang, not a measure of speed
            _out, err = process.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            process.kill()
            pytest.fail("the interview did not end on SIGINT")
    assert (process.returncode, err) == (130, b"")
