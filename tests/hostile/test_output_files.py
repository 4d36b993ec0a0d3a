"""Output files (``-o``, ``init PATH``) against hostile targets: the run's own inputs, devices, FIFOs,
directories, symbolic links, unwritable places, odd names, and failures half way through a write.

Every case is built at test time in ``tmp_path``; nothing outside it is written (``/dev/null`` and
``/dev/stdout`` are only checked to be refused and left as they were).
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from llmdecide.cli import app, boundary
from llmdecide.errors import ExitCode, OutputError

runner = CliRunner()
REPO = Path(__file__).resolve().parent.parent.parent
EXAMPLE = REPO / "examples" / "startup-mvp.yaml"
RESULTS = REPO / "tests" / "data" / "calibrate" / "vllm-bench-llama-3.1-8b-h100-1024-128-c1.json"
IS_ROOT = os.geteuid() == 0


@pytest.fixture
def workload(tmp_path: Path) -> Path:
    """A copy of an example workload, in a directory of its own."""
    path = tmp_path / "w.yaml"
    shutil.copyfile(EXAMPLE, path)
    return path


def assess(test_catalog: Path, workload: Path, *args: str | Path) -> Any:
    return runner.invoke(app, ["assess", str(workload), "--catalog-dir", str(test_catalog), *[str(a) for a in args]])


def refused(result: Any, *needles: str) -> str:
    """Exit 6, nothing on stdout, one line on stderr containing every needle; returns that line."""
    assert result.exit_code == ExitCode.OUTPUT_ERROR, result.output
    assert result.stdout == ""
    line: str = result.stderr
    assert line.count("\n") == 1 and "Traceback" not in line, line
    assert line.startswith("llmdecide: error: ")
    for needle in needles:
        assert needle in line, line
    return line


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


@pytest.fixture
def umask() -> Iterator[Any]:
    """Set the process umask for a test, and put the old one back."""
    old = os.umask(0o022)
    os.umask(old)

    def _set(mask: int) -> None:
        os.umask(mask)

    try:
        yield _set
    finally:
        os.umask(old)


# --- the run's own inputs ---------------------------------------------------------------------------------


def test_the_workload_itself_is_refused_and_left_alone(test_catalog: Path, workload: Path) -> None:
    before = workload.read_bytes()
    line = refused(assess(test_catalog, workload, "-o", workload), str(workload), "cannot write", "input")
    assert workload.read_bytes() == before
    assert line.count("cannot write") == 1


def test_the_installed_entry_point_refuses_the_workload(workload: Path) -> None:
    before = workload.read_bytes()
    done = subprocess.run(
        [sys.executable, "-m", "llmdecide", "assess", workload.name, "-f", "json", "-o", workload.name],
        cwd=workload.parent,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == ExitCode.OUTPUT_ERROR == 6
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"llmdecide: error: {workload.name}: cannot write: ")
    assert workload.read_bytes() == before
    assert sorted(p.name for p in workload.parent.iterdir()) == ["w.yaml"]


@pytest.mark.parametrize("how", ["symlink", "hardlink", "dotted"])
def test_the_workload_under_another_name_is_refused(test_catalog: Path, workload: Path, how: str) -> None:
    before = workload.read_bytes()
    other = workload.parent / "other.yaml"
    if how == "symlink":
        other.symlink_to(workload.name)
    elif how == "hardlink":
        os.link(workload, other)
    else:
        other = workload.parent / "." / ".." / workload.parent.name / workload.name
    refused(assess(test_catalog, workload, "-f", "json", "-o", other), str(other), "input")
    assert workload.read_bytes() == before


def test_a_refused_output_costs_nothing(test_catalog: Path, workload: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import llmdecide.api

    def boom(*args: object, **kwargs: object) -> None:
        raise AssertionError("the report was computed for an output that is refused")

    monkeypatch.setattr(llmdecide.api, "assess", boom)
    refused(assess(test_catalog, workload, "-o", workload))


def test_an_overlay_is_refused(test_catalog: Path, workload: Path, tmp_path: Path) -> None:
    overlay = tmp_path / "mine.yaml"
    overlay.write_text("kind: overlay\n")
    before = overlay.read_bytes()
    refused(assess(test_catalog, workload, "--overlay", overlay, "-o", overlay), str(overlay), "input")
    listing = runner.invoke(
        app, ["catalog", "list", "--catalog-dir", str(test_catalog), "--overlay", str(overlay), "-o", str(overlay)]
    )
    refused(listing, str(overlay))
    capacity = runner.invoke(
        app,
        [
            *("capacity", "-m", "llama-3.1-8b", "-g", "h100-sxm", "--catalog-dir", str(test_catalog)),
            *("--overlay", str(overlay), "-o", str(overlay)),
        ],
    )
    refused(capacity, str(overlay))
    assert overlay.read_bytes() == before


def test_files_of_the_catalog_dir_are_refused(workload: Path, catalog_copy: Path) -> None:
    existing = next((catalog_copy / "pricing").rglob("*.yaml"))
    before = existing.read_bytes()
    refused(assess(catalog_copy, workload, "-o", existing), str(existing), "which this run reads")
    assert existing.read_bytes() == before
    new = catalog_copy / "hardware" / "new.yaml"
    refused(assess(catalog_copy, workload, "-o", new), str(new))
    assert not new.exists()
    for command in (["catalog", "list"], ["catalog", "stats"], ["catalog", "show", "h100-sxm"]):
        result = runner.invoke(app, [*command, "--catalog-dir", str(catalog_copy), "-o", str(existing)])
        refused(result, str(existing))
    assert existing.read_bytes() == before
    # beside the catalog's folders is fine: nothing there is read
    beside = catalog_copy / "report.json"
    assert assess(catalog_copy, workload, "-f", "json", "-o", beside).exit_code == 0
    assert json.loads(beside.read_text())["report_version"]


def test_the_profile_csv_a_workload_names_is_refused(test_catalog: Path, tmp_path: Path) -> None:
    csv = tmp_path / "load.csv"
    csv.write_text("hour,requests\n" + "\n".join(f"{h},{10 if 9 <= h < 17 else 1}" for h in range(24)) + "\n")
    path = tmp_path / "w.yaml"
    data = yaml.safe_load(EXAMPLE.read_text())
    data["segments"][0].pop("pattern", None)
    data["segments"][0]["hourly_profile_csv"] = "load.csv"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    assert assess(test_catalog, path, "-f", "json").exit_code == 0  # the workload does read the CSV
    before = csv.read_bytes()
    refused(assess(test_catalog, path, "-o", csv), str(csv), "input")
    assert csv.read_bytes() == before


def test_calibrate_refuses_its_result_files(tmp_path: Path) -> None:
    results = tmp_path / RESULTS.name
    shutil.copyfile(RESULTS, results)
    before = results.read_bytes()
    args = ["--model", "meta/llama-3.1-8b", "--gpu", "nvidia/h100-sxm-80gb", "--precision", "bf16"]
    refused(runner.invoke(app, ["calibrate", str(results), *args, "-o", str(results)]), str(results))
    assert results.read_bytes() == before


def test_catalog_diff_refuses_its_catalogs_and_workloads(
    test_catalog: Path, catalog_copy: Path, tmp_path: Path
) -> None:
    workloads = tmp_path / "workloads"
    workloads.mkdir()
    one = workloads / "one.yaml"
    shutil.copyfile(EXAMPLE, one)
    before = one.read_bytes()
    diff = ["catalog", "diff", str(test_catalog), str(catalog_copy), "--workloads", str(workloads)]
    refused(runner.invoke(app, [*diff, "-o", str(one)]), str(one))
    assert one.read_bytes() == before
    inside = catalog_copy / "pricing" / "diff.md"
    refused(runner.invoke(app, [*diff, "-o", str(inside)]), str(inside))
    assert not inside.exists()


# --- what is not a regular file ------------------------------------------------------------------------------


def test_a_fifo_is_refused_without_opening_it(workload: Path, test_catalog: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    # in a child with a time limit: opening a FIFO with no reader would block forever
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "llmdecide",
            "assess",
            str(workload),
            "--catalog-dir",
            str(test_catalog),
            "-o",
            str(fifo),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == ExitCode.OUTPUT_ERROR, done.stderr
    assert done.stdout == "" and done.stderr.count("\n") == 1
    assert "FIFO" in done.stderr and str(fifo) in done.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_directory_is_refused(workload: Path, test_catalog: Path, tmp_path: Path) -> None:
    target = tmp_path / "reports"
    target.mkdir()
    refused(assess(test_catalog, workload, "-o", target), str(target), "a directory")
    refused(assess(test_catalog, workload, "-o", "."), ".: cannot write: a directory")
    for name in (f"{tmp_path}/missing/", f"{tmp_path}/missing/.", f"{target}/", f"{target}/."):
        refused(assess(test_catalog, workload, "-o", name), "names a directory")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports", "w.yaml"]
    assert sorted(p.name for p in target.iterdir()) == []


def test_dev_null_is_refused_even_as_root(workload: Path, test_catalog: Path) -> None:
    before = os.lstat("/dev/null")
    refused(assess(test_catalog, workload, "-o", "/dev/null"), "/dev/null: cannot write: a character device")
    after = os.lstat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)
    refused(runner.invoke(app, ["init", "/dev/null", "--force"]), "/dev/null", "character device")
    assert stat.S_ISCHR(os.lstat("/dev/null").st_mode)


@pytest.mark.skipif(not Path("/dev/stdout").is_symlink(), reason="needs /dev/stdout as a symbolic link")
def test_dev_stdout_is_refused_and_the_file_behind_it_kept(tmp_path: Path) -> None:
    captured = tmp_path / "captured.txt"
    with captured.open("w") as handle:
        done = subprocess.run(
            [sys.executable, "-m", "llmdecide", "schema", "workload", "-o", "/dev/stdout"],
            stdout=handle,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
            timeout=120,
        )
        inode = os.fstat(handle.fileno()).st_ino
    assert done.returncode == ExitCode.OUTPUT_ERROR, done.stderr
    assert done.stderr.count("\n") == 1 and "/dev/stdout: cannot write" in done.stderr
    assert os.stat(captured).st_ino == inode  # the file the shell opened was not replaced behind its back
    assert Path("/dev/stdout").is_symlink()


def test_a_symlink_to_a_regular_file_is_written_through(workload: Path, test_catalog: Path, tmp_path: Path) -> None:
    real = tmp_path / "reports" / "report.json"
    real.parent.mkdir()
    real.write_text("old\n")
    real.chmod(0o640)
    link = tmp_path / "latest.json"
    link.symlink_to(Path("reports") / "report.json")
    chain = tmp_path / "chain.json"
    chain.symlink_to(link.name)
    result = assess(test_catalog, workload, "-f", "json", "-o", chain)
    assert result.exit_code == 0, result.output
    assert chain.is_symlink() and link.is_symlink()
    assert os.readlink(chain) == link.name and os.readlink(link) == str(Path("reports") / "report.json")
    assert json.loads(real.read_text())["report_version"]
    assert stat.S_IMODE(os.stat(real).st_mode) == 0o640
    assert leftovers(real.parent) == [] and leftovers(tmp_path) == []


@pytest.mark.parametrize("kind", ["directory", "device", "fifo", "dangling", "loop"])
def test_a_symlink_to_anything_else_is_refused(workload: Path, test_catalog: Path, tmp_path: Path, kind: str) -> None:
    link = tmp_path / "out.md"
    if kind == "directory":
        (tmp_path / "d").mkdir()
        link.symlink_to("d")
    elif kind == "device":
        link.symlink_to("/dev/null")
    elif kind == "fifo":
        os.mkfifo(tmp_path / "p")
        link.symlink_to("p")
    elif kind == "dangling":
        link.symlink_to("nowhere.md")
    else:
        link.symlink_to("out.md")
    before = os.readlink(link)
    refused(assess(test_catalog, workload, "-o", link), str(link))
    assert link.is_symlink() and os.readlink(link) == before
    assert not (tmp_path / "nowhere.md").exists()


def test_init_refuses_a_dangling_symlink(tmp_path: Path) -> None:
    link = tmp_path / "w.yaml"
    link.symlink_to("elsewhere.yaml")
    refused(runner.invoke(app, ["init", str(link)]), f"{link}: already exists", "--force")
    refused(runner.invoke(app, ["init", str(link), "--force"]), str(link), "dangling symbolic link")
    assert link.is_symlink() and os.readlink(link) == "elsewhere.yaml"
    assert not (tmp_path / "elsewhere.yaml").exists()
    assert leftovers(tmp_path) == []


def test_init_force_writes_through_a_symlink_to_a_file(tmp_path: Path) -> None:
    real = tmp_path / "real.yaml"
    real.write_text("old\n")
    link = tmp_path / "w.yaml"
    link.symlink_to(real.name)
    refused(runner.invoke(app, ["init", str(link)]), "already exists")
    assert real.read_text() == "old\n"
    result = runner.invoke(app, ["init", str(link), "--force"])
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and "schema_version: 1" in real.read_text()


# --- modes and owners ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("mask", [0o022, 0o077, 0o002, 0o027])
def test_a_new_file_gets_0666_less_the_umask(tmp_path: Path, umask: Any, mask: int) -> None:
    umask(mask)
    target = tmp_path / "schema.json"
    assert runner.invoke(app, ["schema", "workload", "-o", str(target)]).exit_code == 0
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o666 & ~mask
    template = tmp_path / "w.yaml"
    assert runner.invoke(app, ["init", str(template)]).exit_code == 0
    assert stat.S_IMODE(os.stat(template).st_mode) == 0o666 & ~mask


def test_a_new_file_from_a_child_process_gets_0666_less_the_umask(tmp_path: Path) -> None:
    target = tmp_path / "schema.json"
    code = (
        "import os, sys; os.umask(0o037); sys.argv = ['llmdecide', 'schema', 'report', '-o', sys.argv[1]]; "
        "from llmdecide.cli import main; main()"
    )
    done = subprocess.run([sys.executable, "-c", code, str(target)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640


@pytest.mark.parametrize("mode", [0o644, 0o600, 0o664, 0o755])
def test_an_existing_file_keeps_its_mode(
    workload: Path, test_catalog: Path, tmp_path: Path, umask: Any, mode: int
) -> None:
    umask(0o077)
    target = tmp_path / "report.md"
    target.write_text("old\n")
    target.chmod(mode)
    result = assess(test_catalog, workload, "-f", "markdown", "-o", target)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(os.stat(target).st_mode) == mode
    assert target.read_text().startswith("# ")


@pytest.mark.skipif(not IS_ROOT, reason="only root can give a file to another owner")
def test_an_existing_file_keeps_its_owner_as_root(tmp_path: Path) -> None:
    target = tmp_path / "schema.json"
    target.write_text("{}\n")
    os.chown(target, 4321, 4322)
    assert runner.invoke(app, ["schema", "workload", "-o", str(target)]).exit_code == 0
    status = os.stat(target)
    assert (status.st_uid, status.st_gid) == (4321, 4322)
    assert json.loads(target.read_text())["title"]


# --- places that cannot be written, names that cannot be used ---------------------------------------------


@pytest.mark.skipif(IS_ROOT, reason="root writes into a read-only directory")
def test_an_unwritable_directory(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        refused(runner.invoke(app, ["schema", "workload", "-o", str(locked / "s.json")]), "Permission denied")
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o755)


def test_a_directory_the_user_may_not_write_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # what a user other than root sees (simulated, so that it is checked as root too)
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode: False if Path(path) == tmp_path else real_access(path, mode))
    refused(runner.invoke(app, ["schema", "workload", "-o", str(tmp_path / "s.json")]), "Permission denied")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(IS_ROOT, reason="root writes a read-only file")
def test_a_read_only_file_is_not_replaced(tmp_path: Path) -> None:
    target = tmp_path / "s.json"
    target.write_text("keep\n")
    target.chmod(0o444)
    refused(runner.invoke(app, ["schema", "workload", "-o", str(target)]), "Permission denied")
    assert target.read_text() == "keep\n"


def test_proc_is_refused_with_one_line() -> None:
    refused(runner.invoke(app, ["schema", "workload", "-o", "/proc/llmdecide-test.json"]), "/proc/llmdecide-test.json")
    refused(runner.invoke(app, ["schema", "workload", "-o", "/proc/self/status"]), "/proc/self/status")


def test_a_name_too_long(tmp_path: Path, workload: Path, test_catalog: Path) -> None:
    target = tmp_path / ("x" * 300 + ".md")
    refused(assess(test_catalog, workload, "-o", target), "cannot write", os.strerror(errno.ENAMETOOLONG))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.yaml"]


def test_a_long_name_that_fits_is_written(tmp_path: Path) -> None:
    target = tmp_path / ("y" * 250 + ".json")
    assert runner.invoke(app, ["schema", "workload", "-o", str(target)]).exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


def test_a_missing_directory_and_a_file_used_as_one(tmp_path: Path, workload: Path, test_catalog: Path) -> None:
    refused(assess(test_catalog, workload, "-o", tmp_path / "nope" / "r.md"), "directory", "does not exist")
    refused(assess(test_catalog, workload, "-o", workload / "r.md"), f"{workload / 'r.md'}: cannot write: ")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.yaml"]


def test_an_empty_name_is_an_error(workload: Path, test_catalog: Path, tmp_path: Path) -> None:
    line = refused(assess(test_catalog, workload, "-o", ""), "empty output path")
    assert "busy" not in line and "`.`" not in line
    refused(runner.invoke(app, ["init", ""]), "empty output path")
    refused(runner.invoke(app, ["schema", "report", "-o", ""]), "empty output path")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.yaml"]


def test_dash_is_stdout(workload: Path, test_catalog: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = assess(test_catalog, workload, "-f", "json", "-o", "-")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["report_version"]
    table = runner.invoke(app, ["catalog", "list", "models", "--catalog-dir", str(test_catalog), "-o", "-"])
    assert table.exit_code == 0 and "models" in table.stdout.lower()
    template = runner.invoke(app, ["init", "-"])
    assert template.exit_code == 0 and "schema_version: 1" in template.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.yaml"]
    # a file really named '-' is still reachable as ./-
    assert runner.invoke(app, ["schema", "workload", "-o", "./-"]).exit_code == 0
    assert json.loads((tmp_path / "-").read_text())["title"]


# --- failures half way: no temporary file is left -----------------------------------------------------------


@pytest.fixture(params=["unnamed", "named"])
def temp_kind(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both ways of making the temporary file: O_TMPFILE (Linux) and a named file."""
    if request.param == "named":
        monkeypatch.setattr(boundary, "_open_unnamed", lambda directory: None)
    return str(request.param)


def test_a_failed_rename_leaves_no_temporary_file(
    workload: Path, test_catalog: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, temp_kind: str
) -> None:
    target = tmp_path / "report.json"
    target.write_text("old\n")

    def fail(src: object, dst: object) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "replace", fail)
    refused(assess(test_catalog, workload, "-f", "json", "-o", target), f"{target}: cannot write: Input/output error")
    assert target.read_text() == "old\n"
    assert leftovers(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json", "w.yaml"]


def test_a_full_disk_leaves_no_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, temp_kind: str) -> None:
    target = tmp_path / "out.txt"

    def full(fd: int, data: object) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(OutputError, match="No space left on device"):
        boundary.write_output("text\n", target)
    assert list(tmp_path.iterdir()) == []


def test_an_interrupt_leaves_no_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, temp_kind: str) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old\n")

    def interrupted(src: object, dst: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        boundary.write_output("new\n", target)
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_the_file_is_synced_before_the_rename(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, temp_kind: str) -> None:
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append("dir-fsync" if stat.S_ISDIR(os.fstat(fd).st_mode) else "fsync")
        real_fsync(fd)

    def replace(src: str, dst: str) -> None:
        events.append("replace")
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    boundary.write_output("new\n", tmp_path / "out.txt")
    assert events[:2] == ["fsync", "replace"] and events[-1] == "dir-fsync"
    assert (tmp_path / "out.txt").read_text() == "new\n"


@pytest.mark.skipif(not hasattr(os, "O_TMPFILE"), reason="O_TMPFILE is Linux only")
def test_the_file_has_no_name_while_it_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[str]] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        if not stat.S_ISDIR(os.fstat(fd).st_mode):
            seen.append(sorted(p.name for p in tmp_path.iterdir()))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    boundary.write_output("new\n", tmp_path / "out.txt")
    if seen != [[]]:
        pytest.skip("this filesystem has no O_TMPFILE (the named temporary file is used)")
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_success_leaves_only_the_file(tmp_path: Path, temp_kind: str) -> None:
    target = tmp_path / "out.txt"
    boundary.write_output("one\n", target)
    boundary.write_output("two\n", target)
    assert target.read_text() == "two\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_check_output_target_is_usable_on_its_own(tmp_path: Path, workload: Path) -> None:
    checked = boundary.check_output_target(tmp_path / "new.md", [workload])
    assert checked.existing is None and checked.real == str(tmp_path / "new.md")
    with pytest.raises(OutputError, match="input"):
        boundary.check_output_target(workload, [workload])
    with pytest.raises(OutputError, match="which this run reads"):
        boundary.check_output_target(tmp_path / "x.md", [tmp_path])
    with pytest.raises(OutputError, match="empty output path"):
        boundary.check_output_target(boundary.EmptyOutputPath())
    assert boundary.parse_output_path("-") is None
    assert isinstance(boundary.parse_output_path(""), boundary.EmptyOutputPath)


# --- stdout that goes away ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [["schema", "workload"], ["init"], ["catalog", "list", "models"], ["catalog", "list", "models", "-f", "json"]],
)
def test_a_closed_stdout_is_quiet(command: list[str], test_catalog: Path) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first byte
    try:
        extra = ["--catalog-dir", str(test_catalog)] if command[0] == "catalog" else []
        done = subprocess.run(
            [sys.executable, "-m", "llmdecide", *command, *extra],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
            timeout=120,
        )
    finally:
        os.close(write_end)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
