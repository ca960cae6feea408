"""Reading pack, case and situation files: regular files only, and never more than a limit.

A name ending in `.yaml` can stand for anything: a FIFO (reading it waits for a writer for
ever), a device such as `/dev/zero` (it never ends), or a file of gigabytes. So a file is
checked with `stat` before it is read and refused unless it is a regular file no larger than
the limit, and the read itself stops one byte past the limit, so a file that lies about its
size or grows while it is read is cut off there. Problems name the path.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from ._yaml import MAX_BYTES, YamlProblem
from .errors import Problem

_CHUNK = 1 << 16
_read = os.read  # the one call that reads a file (the tests count the bytes it returns)
# Opening a FIFO for reading waits for a writer unless it is opened non-blocking.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def read_bounded(path: str | Path, limit: int = MAX_BYTES) -> bytes:
    """The bytes of the regular file at `path`; YamlProblem naming the path when it is not
    a regular file, cannot be read, or holds more than `limit` bytes."""
    name = str(path)
    try:
        looked = Path(path).stat()  # a socket cannot even be opened: name what it is first
        _check_kind(looked.st_mode, limit, looked.st_size, name)
        handle = os.open(path, _OPEN_FLAGS)
    except OSError as error:
        raise YamlProblem(Problem(f"cannot read the file: {error.strerror}", name)) from None
    try:
        info = os.fstat(handle)  # the file opened may not be the one looked at just before
        _check_kind(info.st_mode, limit, info.st_size, name)
        return _read_capped(lambda size: _read(handle, size), limit, name)
    finally:
        os.close(handle)


def read_stream_bounded(stream: BinaryIO, name: str, limit: int = MAX_BYTES) -> bytes:
    """The bytes of an open stream (standard input), read to its end or one byte past
    `limit`, which is then a YamlProblem naming `name`."""
    return _read_capped(stream.read, limit, name)


def _check_kind(mode: int, limit: int, size: int, name: str) -> None:
    for test, kind in _KINDS:
        if test(mode):
            raise YamlProblem(Problem(f"is {kind}, not a regular file", name))
    if size > limit:
        raise YamlProblem(Problem(f"file is {size:,} bytes; the limit is {limit:,}", name))


def _read_capped(read: Callable[[int], bytes], limit: int, name: str) -> bytes:
    parts: list[bytes] = []
    total = 0
    while total <= limit:
        part = read(min(_CHUNK, limit + 1 - total))
        if not part:
            return b"".join(parts)
        parts.append(part)
        total += len(part)
    # Only a file that grew after its size was checked, or a stream, gets here.
    message = f"file holds more than {limit:,} bytes; the limit is {limit:,}"
    raise YamlProblem(Problem(message, name))
