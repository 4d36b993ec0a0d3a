"""The one place user errors become a one-line message on stderr and an exit code, and output files are written.

Output files follow the rules of a careful Unix tool (see the README, "Output files"):

* ``-`` is standard output; an empty name is an error, not ``.``;
* only regular files are written: a directory, device, FIFO or socket is refused, and so is a symbolic
  link to one of those or to nothing (a dangling link); a symbolic link to a regular file is written
  through (the link stays, the file it points to is replaced);
* none of the run's own inputs (workload, overlays, catalog folders, profile CSVs) is a valid target;
* the file is replaced atomically: written to a temporary file in the same directory, flushed to disk,
  then renamed over the target, so a reader sees the old or the new content, never a half-written file,
  and no temporary file is left behind when anything fails;
* a new file gets mode ``0666 & ~umask``, like a shell redirection; an existing file keeps its mode.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PosixPath

import typer

from llmdecide.errors import LlmdecideError, OutputError
from llmdecide.report.text_safety import StreamKind, safe_message, write_stdout

STDOUT = "-"
"""The output name that means standard output."""

_NOT_REGULAR_HINT = "only regular files are written; leave out the output file and redirect standard output instead"


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn an :class:`LlmdecideError` into ``llmdecide: error: ...`` and its exit code.

    Anything else is a bug and propagates with its traceback.
    """
    try:
        yield
    except LlmdecideError as exc:
        print(f"llmdecide: error: {safe_message(str(exc))}", file=sys.stderr)
        raise typer.Exit(int(exc.exit_code)) from None


class EmptyOutputPath(PosixPath):
    """An output name given as the empty string (``Path('')`` alone would silently be ``.``)."""


class DirectoryOutputPath(PosixPath):
    """An output name that ends with ``/`` or ``/.``, so names a directory (``Path`` alone would drop that)."""


def parse_output_path(value: str) -> Path | None:
    """The command-line parser of output names: ``-`` is standard output (``None``); ``''`` and a trailing
    ``/`` stay recognisable (``Path`` would make them ``.`` and a file name)."""
    if value == STDOUT:
        return None
    if value == "":
        return EmptyOutputPath()
    if value.endswith(("/", "/.")) and value.strip("/"):
        return DirectoryOutputPath(value)
    return Path(value)


def output_exists(output: Path) -> bool:
    """Whether something (a dangling symbolic link too) already has this name."""
    if isinstance(output, EmptyOutputPath):
        return False
    try:
        os.lstat(output)
    except (OSError, ValueError):
        return False
    return True


@dataclass(frozen=True)
class OutputTarget:
    """A checked output file: the name the user gave, the file to replace, and that file's state now."""

    output: Path
    real: str
    """The regular file to replace: ``output`` itself, or the file a symbolic link at ``output`` points to."""
    existing: os.stat_result | None
    """The file's status when it exists (its mode and owner are kept), else ``None``."""


def _cannot(output: Path | str, reason: str, hint: str | None = None) -> OutputError:
    return OutputError(f"{output}: cannot write: {reason}", hint=hint)


def _reason(exc: OSError | ValueError) -> str:
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return "the name contains a NUL character" if "null" in str(exc) else str(exc)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _is_within(path: str, directory: str) -> bool:
    try:
        return os.path.commonpath([path, directory]) == directory
    except ValueError:
        return False


def check_output_target(output: Path, inputs: Sequence[Path] = ()) -> OutputTarget:
    """Check that ``output`` names a file this run may replace, or raise :class:`OutputError` saying why not.

    Refused: an empty name; a directory, device, FIFO or socket, or a symbolic link to one of them or to
    nothing; a name the system rejects (too long, a file used as a directory); a missing or unwritable
    directory; and any of ``inputs``: the same file (also under another name or through a link), or, for
    an input that is a directory, any file under it. Nothing is opened, so a FIFO never blocks.
    """
    if isinstance(output, EmptyOutputPath) or os.fspath(output) == "":
        raise OutputError("empty output path", hint=f"name a file, or give {STDOUT} for standard output")
    name = os.fspath(output)
    if isinstance(output, DirectoryOutputPath):
        raise _cannot(f"{output}/", "names a directory (it ends with /)")
    try:
        found: os.stat_result | None = os.lstat(name)
    except FileNotFoundError:
        found = None
    except (OSError, ValueError) as exc:
        raise _cannot(output, _reason(exc)) from None
    real = name
    if found is not None and stat.S_ISLNK(found.st_mode):
        try:
            found = os.stat(name)
        except FileNotFoundError:
            raise _cannot(output, "a dangling symbolic link (what it points to does not exist)") from None
        except OSError as exc:
            raise _cannot(output, _reason(exc)) from None
        if not stat.S_ISREG(found.st_mode):
            raise _cannot(output, f"a symbolic link to {_kind(found.st_mode)}", hint=_NOT_REGULAR_HINT)
        if _through_proc(name):
            # /dev/stdout, /dev/fd/N: replacing the file would leave whoever holds it open writing to the old one.
            raise _cannot(output, "a link to an open file (/dev/fd, /proc)", hint=_NOT_REGULAR_HINT)
        real = os.path.realpath(name)
        try:
            same = os.path.samestat(os.stat(real), found)
        except OSError:
            same = False
        if not same:
            raise _cannot(output, "the file this symbolic link points to has no name to replace it under")
    elif found is not None and not stat.S_ISREG(found.st_mode):
        raise _cannot(output, _kind(found.st_mode), hint=_NOT_REGULAR_HINT)
    directory, base = os.path.split(real)
    if not base:
        raise _cannot(output, "names a directory (ends with /)")
    directory = directory or "."
    try:
        folder = os.stat(directory)
    except FileNotFoundError:
        raise _cannot(output, f"directory {directory} does not exist") from None
    except OSError as exc:
        raise _cannot(output, _reason(exc)) from None
    if not stat.S_ISDIR(folder.st_mode):
        raise _cannot(output, f"{directory} is not a directory")
    if _read_only(directory):
        raise _cannot(output, os.strerror(errno.EROFS))
    if not os.access(directory, os.W_OK | os.X_OK):
        raise _cannot(output, f"{os.strerror(errno.EACCES)} (directory {directory})")
    if found is not None and not os.access(real, os.W_OK):
        raise _cannot(output, os.strerror(errno.EACCES))
    _refuse_inputs(output, os.path.join(os.path.realpath(directory), base), found, inputs)
    return OutputTarget(output, real, found)


def _through_proc(name: str) -> bool:
    """Whether a chain of symbolic links passes through ``/proc`` (``/proc/PID/fd/N``, ``/dev/stdout``)."""
    try:
        proc = os.stat("/proc").st_dev
    except OSError:
        return False
    hop = name
    for _ in range(64):
        try:
            status = os.lstat(hop)
            if not stat.S_ISLNK(status.st_mode):
                return False
            if status.st_dev == proc:
                return True
            hop = os.path.join(os.path.dirname(hop), os.readlink(hop))
        except OSError:
            return False
    return False


def _read_only(directory: str) -> bool:
    try:
        return bool(os.statvfs(directory).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):
        return False


def _refuse_inputs(output: Path, resolved: str, found: os.stat_result | None, inputs: Sequence[Path]) -> None:
    for given in inputs:
        try:
            own = os.path.realpath(given)
            status: os.stat_result | None = os.stat(given)
        except FileNotFoundError:
            status = None
        except (OSError, ValueError):
            continue
        named = "" if os.fspath(given) == os.fspath(output) else f" ({given})"
        if status is not None and stat.S_ISDIR(status.st_mode):
            if _is_within(resolved, own):
                raise _cannot(output, f"it is inside {given}, which this run reads")
        elif resolved == own or (found is not None and status is not None and os.path.samestat(found, status)):
            raise _cannot(output, f"it is one of this run's inputs{named}")


def write_output(text: str, output: Path | None, inputs: Sequence[Path] = (), *, kind: StreamKind = "text") -> None:
    """Print ``text`` to stdout (``output`` is ``None``), or replace the file ``output`` with it atomically.

    ``output`` is checked first (:func:`check_output_target`, against ``inputs``); every failure is an
    :class:`OutputError` with a one-line ``PATH: cannot write: reason``, and leaves no temporary file.
    On a stdout that cannot encode every character, ``kind`` says how to fall back (``json``: ``\\u``
    escapes, ``markdown``: character references, ``text``: ASCII stand-ins); files are always UTF-8.
    """
    if output is None:
        with stdout_guard():
            write_stdout(text, kind=kind)
            sys.stdout.flush()
        return
    target = check_output_target(output, inputs)
    data = text.encode("utf-8")
    try:
        _replace(target, data)
    except OSError as exc:
        raise _cannot(output, _reason(exc)) from None


@contextmanager
def stdout_guard() -> Iterator[None]:
    """A reader that went away (``... | head``) ends the output quietly; the exit code stays the command's own."""
    try:
        yield
    except BrokenPipeError:
        silence_stdout()


def silence_stdout() -> None:
    """Point stdout at /dev/null, so that what is left of the output, and the flush at exit, go nowhere quietly."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, sys.stdout.fileno())
        finally:
            os.close(devnull)


def _umask() -> int:
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def _temp_name(base: str) -> str:
    # A short stem keeps the name within NAME_MAX however long the target's name is.
    return f".{base[:40]}.{secrets.token_hex(4)}.tmp"


def _open_unnamed(directory: str) -> int | None:
    """A file with no name yet in ``directory`` (Linux ``O_TMPFILE``): a killed process leaves nothing."""
    flag = getattr(os, "O_TMPFILE", 0)
    if not flag:
        return None
    try:
        return os.open(directory, flag | os.O_WRONLY | os.O_CLOEXEC, 0o600)
    except OSError:
        return None


def _link_unnamed(fd: int, directory: str, base: str) -> str | None:
    """Give the unnamed file a temporary name, or ``None`` when this system cannot."""
    try:
        folder = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        for _ in range(100):
            name = _temp_name(base)
            try:
                # linkat(..., AT_SYMLINK_FOLLOW): a dir_fd makes Python call linkat, which follows /proc's link
                os.link(f"/proc/self/fd/{fd}", name, dst_dir_fd=folder, follow_symlinks=True)
            except FileExistsError:
                continue
            except (OSError, NotImplementedError):
                return None
            return os.path.join(directory, name)
        return None
    finally:
        os.close(folder)


def _open_named(directory: str, base: str) -> tuple[int, str]:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC | getattr(os, "O_NOFOLLOW", 0)
    for _ in range(100):
        name = os.path.join(directory, _temp_name(base))
        try:
            return os.open(name, flags, 0o600), name
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary file name", directory)


def _fill(fd: int, data: bytes, existing: os.stat_result | None) -> None:
    """Owner and mode first (the content is never more readable than the file will be), then the data, synced."""
    if existing is not None:
        if (existing.st_uid, existing.st_gid) != (os.getuid(), os.getgid()):
            with contextlib.suppress(OSError):
                os.fchown(fd, existing.st_uid, existing.st_gid)
        os.fchmod(fd, stat.S_IMODE(existing.st_mode))
    else:
        os.fchmod(fd, 0o666 & ~_umask())
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
    os.fsync(fd)


def _replace(target: OutputTarget, data: bytes) -> None:
    directory, base = os.path.split(target.real)
    directory = directory or "."
    temp: str | None = None
    placed = False
    try:
        fd = _open_unnamed(directory)
        if fd is not None:
            try:
                _fill(fd, data, target.existing)
                temp = _link_unnamed(fd, directory, base)
            finally:
                os.close(fd)
        if temp is None:
            fd, temp = _open_named(directory, base)
            try:
                _fill(fd, data, target.existing)
            finally:
                os.close(fd)
        os.replace(temp, target.real)
        placed = True
    finally:
        if temp is not None and not placed:
            with contextlib.suppress(OSError):
                os.unlink(temp)
    _sync_directory(directory)


def _sync_directory(directory: str) -> None:
    """Make the rename itself durable (best effort: not every system can sync a directory)."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
