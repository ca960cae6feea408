"""Files that are not what their `.yaml` name says: every reader refuses them early.

A pack, case or situation file is read only when it is a regular file no larger than the
limit (2,000,000 bytes), and the read stops one byte past the limit. The tests count the
bytes actually read (every read goes through `_files._read`), never the time taken: a sparse
3 GB file, a link to `/dev/zero` and a FIFO with no writer must each be refused having read
at most limit + 1 bytes (here: none at all).
"""

from __future__ import annotations

import collections
import io
import os
import socket
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import outreach_rules as orr
from outreach_rules import _files, cli
from outreach_rules._engine import bundled_pack_dir
from outreach_rules._yaml import MAX_BYTES, YamlProblem
from outreach_rules.testing import load_cases

pytestmark = pytest.mark.skipif(
    sys.platform != "linux", reason="the bytes read are counted by the paths in /proc/self/fd"
)

MINIMAL = Path(__file__).resolve().parent / "data" / "packs" / "minimal.yaml"


@pytest.fixture
def bytes_read(monkeypatch: pytest.MonkeyPatch) -> collections.Counter[str]:
    """The bytes read from each file, by the path that was opened (every reader of a pack,
    case or situation file goes through `_read`; the path is looked up in /proc)."""
    counts: collections.Counter[str] = collections.Counter()
    real = _files._read

    def counting(handle: int, size: int) -> bytes:
        data = real(handle, size)
        counts[str(Path(f"/proc/self/fd/{handle}").readlink())] += len(data)
        return data

    monkeypatch.setattr(_files, "_read", counting)
    return counts


def sparse(tmp_path: Path) -> Path:
    """A 3 GB `*.yaml` file that takes no room on disk."""
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.truncate(3_000_000_000)
    return path


def zero_link(tmp_path: Path) -> Path:
    """A `*.yaml` link to `/dev/zero`, which never ends."""
    path = tmp_path / "zero.yaml"
    path.symlink_to("/dev/zero")
    return path


def fifo(tmp_path: Path) -> Path:
    """A FIFO named `*.yaml` that nothing writes to (reading it would wait for ever)."""
    path = tmp_path / "pipe.yaml"
    os.mkfifo(path)
    return path


HOSTILE: dict[str, tuple[Callable[[Path], Path], str]] = {
    "sparse 3 GB file": (sparse, "file is 3,000,000,000 bytes; the limit is 2,000,000"),
    "link to /dev/zero": (zero_link, "is a character device, not a regular file"),
    "FIFO": (fifo, "is a FIFO (named pipe), not a regular file"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_pack_path_that_is_not_a_small_regular_file_is_refused_unread(
    case: str, tmp_path: Path, bytes_read: collections.Counter[str]
) -> None:
    """`Engine.from_paths` refuses the file with a problem naming its path, before reading
    a single byte of it."""
    make, message = HOSTILE[case]
    path = make(tmp_path)
    with pytest.raises(orr.RulebookError) as caught:
        orr.Engine.from_paths(path, backend="python")
    assert str(caught.value) == f"1 problem in the rule pack:\n{path}: {message}"
    assert not bytes_read


def test_a_folder_scan_reports_every_hostile_file_and_reads_none_of_them(
    tmp_path: Path, bytes_read: collections.Counter[str]
) -> None:
    """A folder holding a good pack and the three hostile files: all three are reported at
    once, each with its path, and only the good pack's bytes are read."""
    (tmp_path / "a.yaml").write_bytes(MINIMAL.read_bytes())
    paths = [make(tmp_path) for make, _ in HOSTILE.values()]
    with pytest.raises(orr.RulebookError) as caught:
        orr.Engine.from_paths(tmp_path, backend="python")
    assert sorted(problem.file for problem in caught.value.problems) == sorted(map(str, paths))
    assert bytes_read == {str(tmp_path / "a.yaml"): MINIMAL.stat().st_size}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_situation_file_that_is_not_a_small_regular_file_is_refused(
    case: str,
    tmp_path: Path,
    bytes_read: collections.Counter[str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`outreach-rules advise` names the situation file and why, exits 1, and reads none of
    it."""
    make, message = HOSTILE[case]
    path = make(tmp_path)
    assert cli.main(["advise", str(path), "--backend", "python"]) == 1
    assert capsys.readouterr().err == (f"error: 1 problem in the situation:\n  {path}: {message}\n")
    bundled = {str(path.resolve()) for path in bundled_pack_dir().rglob("*")}
    assert bytes_read
    assert set(bytes_read) <= bundled  # only the bundled packs were read


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_case_file_that_is_not_a_small_regular_file_is_refused(
    case: str, tmp_path: Path, bytes_read: collections.Counter[str]
) -> None:
    """`testing.load_cases` reports the file among its problems and reads none of it."""
    make, message = HOSTILE[case]
    path = make(tmp_path)
    with pytest.raises(orr.RulebookError) as caught:
        load_cases([path])
    assert str(caught.value) == f"1 problem in the rule pack:\n{path}: {message}"
    assert not bytes_read


def test_a_socket_is_named_as_such(tmp_path: Path) -> None:
    """A Unix socket named `*.yaml` (which cannot even be opened) is refused by its kind."""
    path = tmp_path / "socket.yaml"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        with pytest.raises(YamlProblem) as caught:
            _files.read_bounded(path)
    finally:
        server.close()
    assert caught.value.problem.render() == f"{path}: is a socket, not a regular file"


def test_a_file_that_grows_while_read_is_cut_off_one_byte_past_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file whose size looked small but whose reads never end (it grows, or lies) is cut
    off after limit + 1 bytes."""
    path = tmp_path / "small.yaml"
    path.write_bytes(b"pack: x\n")
    sizes: list[int] = []

    def endless(_handle: int, size: int) -> bytes:
        sizes.append(size)
        return b"x" * size

    monkeypatch.setattr(_files, "_read", endless)
    with pytest.raises(YamlProblem) as caught:
        _files.read_bounded(path)
    assert caught.value.problem.render() == (
        f"{path}: file holds more than 2,000,000 bytes; the limit is 2,000,000"
    )
    assert sum(sizes) == MAX_BYTES + 1


def test_standard_input_is_read_at_most_one_byte_past_the_limit() -> None:
    """A situation piped in on standard input is read up to the limit and one byte more."""
    stream = io.BytesIO(b"a: 1\n" * (MAX_BYTES // 2))
    with pytest.raises(YamlProblem) as caught:
        _files.read_stream_bounded(stream, "<stdin>")
    assert caught.value.problem.render() == (
        "<stdin>: file holds more than 2,000,000 bytes; the limit is 2,000,000"
    )
    assert stream.tell() == MAX_BYTES + 1


def test_a_regular_file_at_the_limit_is_read_whole(tmp_path: Path) -> None:
    """The limit itself is allowed: a file of exactly 2,000,000 bytes reads whole."""
    path = tmp_path / "full.yaml"
    path.write_bytes(b"#" * MAX_BYTES)
    assert len(_files.read_bounded(path)) == MAX_BYTES
