"""The quote report: Markdown, self-contained HTML, an EP-curve PNG, JSON and CSV.

>>> from xborder_risk import Submission, quote
>>> from xborder_risk.report import write_report
>>> sub = Submission.from_file("examples/submissions/eu_egates_contractor.yaml")  # doctest: +SKIP
>>> q = quote(sub, n_years=100_000, seed=2026)  # doctest: +SKIP
>>> write_report(q, "quote_out", stem="eu_egates_contractor")  # doctest: +SKIP
{'md': [...], 'html': [...], 'png': [...], 'json': [...]}
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import shutil
import signal
import stat
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Final

from xborder_risk.errors import ParameterError
from xborder_risk.quote import Quote
from xborder_risk.report._format import (
    LINE_LABELS,
    format_amount,
    format_percent,
    line_label,
)
from xborder_risk.report.chart import ep_chart_png
from xborder_risk.report.csv import (
    CSV_TABLES,
    csv_safe_frame,
    csv_text,
    escape_csv_cell,
    quote_tables,
    write_csv,
)
from xborder_risk.report.excel import excel_available, quote_workbook
from xborder_risk.report.html import render_html
from xborder_risk.report.markdown import render_markdown
from xborder_risk.report.sections import (
    Section,
    Table,
    build_sections,
    referral_text,
    renewal_text,
    summary_cells,
    summary_frame,
)
from xborder_risk.report.ylt import parquet_available, ylt_frame, ylt_parquet

__all__ = [
    "DEFAULT_FORMATS",
    "LINE_LABELS",
    "REPORT_FORMATS",
    "Section",
    "Table",
    "build_sections",
    "csv_safe_frame",
    "csv_text",
    "ep_chart_png",
    "escape_csv_cell",
    "format_amount",
    "format_percent",
    "line_label",
    "parse_formats",
    "quote_tables",
    "referral_text",
    "refuse_overwriting_inputs",
    "render_html",
    "render_markdown",
    "renewal_text",
    "report_file_names",
    "summary_cells",
    "summary_frame",
    "summary_text",
    "write_csv",
    "write_report",
    "ylt_frame",
]

#: Every output format :func:`write_report` knows.
REPORT_FORMATS: Final[tuple[str, ...]] = ("md", "html", "png", "json", "csv", "xlsx", "ylt")
#: What :func:`write_report` writes unless told otherwise.
DEFAULT_FORMATS: Final[tuple[str, ...]] = ("md", "html", "png", "json")

#: Runs writing into one directory take turns to move their files in place by holding an
#: exclusive ``flock`` on the directory itself (no lock file is left behind); a reader wanting
#: one run's complete set takes it shared.
#: Prefix of the temporary directory, beside the report files, where a set is written first.
_TEMP_PREFIX: Final[str] = ".xborder-risk-tmp-"
#: How long a run waits for another run's short move-in-place phase before giving up.
_LOCK_WAIT_SECONDS: Final[float] = 60.0
#: Signals whose default action ends the process without unwinding: during a write they
#: raise ``SystemExit`` instead, so that the temporary files are removed.
_TERMINATING_SIGNALS: Final[tuple[signal.Signals, ...]] = (signal.SIGTERM, signal.SIGHUP)

#: Test hook: called with each temporary file's path once it is written and synced, before
#: anything is moved in place (the reliability tests slow the write down with it to kill a
#: run mid-write).  ``None`` in normal use.
_after_temp_file: Callable[[Path], None] | None = None

_STEM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


def parse_formats(formats: str | Iterable[str]) -> tuple[str, ...]:
    """Normalise a format list: ``"md,html"`` or ``["md", "html"]`` -> ``("md", "html")``.

    Case and spaces are ignored, duplicates dropped, the order of :data:`REPORT_FORMATS`
    kept.

    Raises
    ------
    ParameterError
        If a format is unknown or none is given.
    """
    items = formats.split(",") if isinstance(formats, str) else list(formats)
    wanted = {str(item).strip().lower() for item in items if str(item).strip()}
    unknown = sorted(wanted - set(REPORT_FORMATS))
    if unknown:
        raise ParameterError(
            "write_report", "formats", ",".join(unknown), f"must be among {REPORT_FORMATS}"
        )
    if not wanted:
        raise ParameterError("write_report", "formats", formats, "must name at least one format")
    return tuple(f for f in REPORT_FORMATS if f in wanted)


def summary_text(quote: Quote) -> str:
    """The compact quote table as plain text, amounts with thousands separators.

    The first line names the insured, the currency and the policy period.
    """
    frame = summary_frame(quote)
    submission = quote.submission
    header = (
        f"Quote for {submission.insured.name} - amounts in {quote.currency}, policy period "
        f"{submission.inception_date.isoformat()} to {submission.expiry_date.isoformat()} "
        f"({quote.simulation.n_years:,} simulated periods)"
    )
    import pandas as pd

    text = pd.DataFrame(summary_cells(frame), index=frame.index, columns=frame.columns)
    body = text.to_string()
    referrals = "".join(f"{referral_text(r)}\n" for r in quote.referrals)
    return f"{header}\n{body}\n{referrals}"


def write_report(
    quote: Quote,
    out_dir: str | os.PathLike[str],
    *,
    stem: str = "quote",
    formats: str | Iterable[str] = DEFAULT_FORMATS,
    inputs: Iterable[str | os.PathLike[str]] = (),
) -> dict[str, list[Path]]:
    """Write the quote report files, all or none, never over an input file.

    Every file is rendered, written and synced in a temporary directory beside the target
    (``out_dir/.xborder-risk-tmp-*``), then moved in place with :func:`os.replace` while the
    directory is locked and termination signals wait.  So each report file is
    either the previous complete version or the new complete one, never a partial file, and
    a run killed or failing (a full disk) before the move leaves the previous report as it
    was and no temporary file behind.  Two runs into one directory move their sets in turn
    (an exclusive ``flock`` on the directory), so the directory ends with one run's complete
    set.  A file is never written through a
    symbolic link: a link already at a report file's name is replaced, its target untouched.

    Parameters
    ----------
    quote : Quote
        The quote to report.
    out_dir : str or path-like
        Directory for the files; created if missing.
    stem : str
        Base name of the files: letters, digits, ``_ . -`` (at most 100 characters).
    formats : str or iterable of str
        Any of ``md`` (Markdown, links the PNG, which is then written too), ``html``
        (self-contained, chart embedded), ``png`` (the exceedance-probability chart),
        ``json`` (:meth:`Quote.to_json`: tables, messages, provenance), ``csv`` (one
        CSV per table, spreadsheet-safe), ``xlsx`` (one workbook, numbers with currency
        formats; needs openpyxl) and ``ylt`` (the year-loss table as CSV, and as Parquet
        when pyarrow is installed).  Default: md, html, png, json.
    inputs : iterable of path-like
        Files the report must not replace (the submission, the rating tables): a report file
        that is one of them (same file, by device and inode, hard links included) is refused.

    Returns
    -------
    dict of str to list of Path
        The files written, by format.

    Raises
    ------
    ParameterError
        For an unknown format, an unsafe stem, or a report file that would replace an input.
    OSError
        If the directory or a file cannot be written (nothing is replaced then), or another
        run holds the directory's lock for more than a minute.
    """
    wanted = parse_formats(formats)
    _check_stem(stem)
    directory = Path(out_dir)
    protected = _file_ids(inputs)
    names = [name for _, name in report_file_names(stem, wanted)]
    _refuse_inputs(directory, names, protected)
    rendered = _render(quote, stem, wanted)
    directory.mkdir(parents=True, exist_ok=True)
    with _terminating_signals_raise():
        temp = Path(tempfile.mkdtemp(prefix=_TEMP_PREFIX, dir=directory))
        try:
            for _, name, data in rendered:
                _write_temp_file(temp / name, data, directory / name)
            _fsync_directory(temp)
            with _directory_lock(directory), _signals_deferred():
                _refuse_inputs(directory, names, protected)  # again, now that we hold the lock
                for _, name, _data in rendered:
                    os.replace(temp / name, directory / name)
                _fsync_directory(directory)
        finally:
            shutil.rmtree(temp, ignore_errors=True)
    written: dict[str, list[Path]] = {}
    for fmt, name, _data in rendered:
        written.setdefault(fmt, []).append(directory / name)
    return written


def report_file_names(stem: str, formats: str | Iterable[str]) -> list[tuple[str, str]]:
    """(format, file name) of every file :func:`write_report` writes, in writing order.

    The CSV names come from :func:`quote_tables`; the stem is checked as in
    :func:`write_report`.
    """
    wanted = parse_formats(formats)
    _check_stem(stem)
    names = []
    if "png" in wanted or "md" in wanted:
        names.append(("png", f"{stem}_ep_curves.png"))
    names += [(fmt, f"{stem}.{fmt}") for fmt in ("md", "html", "json") if fmt in wanted]
    if "csv" in wanted:
        names += [("csv", f"{stem}_{table}.csv") for table in CSV_TABLES]
    if "xlsx" in wanted:
        if not excel_available():
            raise ParameterError(
                "write_report",
                "formats",
                "xlsx",
                "needs openpyxl: pip install 'xborder-risk[excel]'",
            )
        names.append(("xlsx", f"{stem}.xlsx"))
    if "ylt" in wanted:
        names.append(("ylt", f"{stem}_ylt.csv"))
        if parquet_available():
            names.append(("ylt", f"{stem}_ylt.parquet"))
    return names


def refuse_overwriting_inputs(
    out_dir: str | os.PathLike[str],
    stem: str,
    formats: str | Iterable[str],
    inputs: Iterable[str | os.PathLike[str]],
) -> None:
    """Raise if a report file of :func:`write_report` would replace one of ``inputs``.

    For checking before a long computation; :func:`write_report` checks again.

    Raises
    ------
    ParameterError
        Naming the input file and the report file.
    """
    names = [name for _, name in report_file_names(stem, formats)]
    _refuse_inputs(Path(out_dir), names, _file_ids(inputs))


def _render(quote: Quote, stem: str, wanted: tuple[str, ...]) -> list[tuple[str, str, bytes]]:
    """(format, file name, content) of every report file, in the order they are written."""
    chart = ep_chart_png(quote) if {"png", "md", "html"} & set(wanted) else None
    tables = quote_tables(quote) if "csv" in wanted else {}
    files: list[tuple[str, str, bytes]] = []
    for fmt, name in report_file_names(stem, wanted):
        if fmt == "png":
            assert chart is not None
            data = chart
        elif fmt == "md":
            data = render_markdown(quote, chart_file=f"{stem}_ep_curves.png").encode("utf-8")
        elif fmt == "html":
            data = render_html(quote, chart_png=chart).encode("utf-8")
        elif fmt == "json":
            data = (quote.to_json(indent=2) + "\n").encode("utf-8")
        elif fmt == "xlsx":
            data = quote_workbook(quote)
        elif name.endswith("_ylt.parquet"):
            data = ylt_parquet(quote)
        elif name.endswith("_ylt.csv"):
            data = csv_text(ylt_frame(quote)).encode("utf-8")
        else:
            data = csv_text(tables[name[len(stem) + 1 : -len(".csv")]]).encode("utf-8")
        files.append((fmt, name, data))
    return files


def _file_ids(paths: Iterable[str | os.PathLike[str]]) -> dict[tuple[int, int], str]:
    """(device, inode) of each existing input, the link itself and what it points to."""
    ids: dict[tuple[int, int], str] = {}
    for path in paths:
        for follow in (True, False):
            with contextlib.suppress(OSError):
                info = os.stat(path, follow_symlinks=follow)
                ids[(info.st_dev, info.st_ino)] = os.fspath(path)
    return ids


def _check_stem(stem: str) -> None:
    if not isinstance(stem, str) or not _STEM.match(stem):
        raise ParameterError(
            "write_report",
            "stem",
            stem,
            "must be 1-100 letters, digits or _ . - starting with a letter or digit",
        )


def _refuse_inputs(
    directory: Path, names: list[str], protected: dict[tuple[int, int], str]
) -> None:
    for name in names:
        target = directory / name
        try:
            info = os.stat(target, follow_symlinks=False)
        except OSError:  # absent (or unreadable: the write will say so)
            continue
        if stat.S_ISDIR(info.st_mode):  # os.replace would fail mid-set: refuse before moving
            raise IsADirectoryError(
                errno.EISDIR, "a directory has the name of a report file", str(target)
            )
        source = protected.get((info.st_dev, info.st_ino))
        if source is not None:
            raise ParameterError(
                "write_report",
                "out_dir",
                os.fspath(directory),
                f"would overwrite the input file {source} with the report file {name}; "
                "choose another output directory or report name",
            )


def _write_temp_file(path: Path, data: bytes, final: Path) -> None:
    # O_EXCL and O_NOFOLLOW: the file is new, in a directory only this process created, so
    # nothing planted is ever opened; fsync so that a crash after the move does not leave
    # an empty file under the final name.
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise OSError(
            exc.errno, f"{reason} while writing the report (nothing was replaced)", str(final)
        ) from None
    if _after_temp_file is not None:
        _after_temp_file(path)


def _fsync_directory(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def _directory_lock(directory: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``directory`` itself, waiting up to a minute."""
    fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        deadline = time.monotonic() + _LOCK_WAIT_SECONDS
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise OSError(
                        errno.EWOULDBLOCK,
                        "another run has held this output directory for over "
                        f"{_LOCK_WAIT_SECONDS:.0f} s",
                        str(directory),
                    ) from None
                time.sleep(0.02)
        yield
    finally:
        os.close(fd)  # releases the lock


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def _terminating_signals_raise() -> Iterator[None]:
    """Let SIGTERM and SIGHUP unwind (``SystemExit(128 + signal)``) instead of killing.

    Only where the signal still has its default action (a program's own handler is kept)
    and only in the main thread (where Python runs signal handlers).
    """
    if not _in_main_thread():
        yield
        return

    def leave(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = {}
    for sig in _TERMINATING_SIGNALS:
        if signal.getsignal(sig) == signal.SIG_DFL:
            previous[sig] = signal.signal(sig, leave)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP until the files are all in place, then deliver them.

    A handler that only records the signal, rather than a blocked signal mask: the kernel may
    deliver a process-directed signal to any thread that does not block it (a BLAS or Dask
    thread), and Python would then run the handler in the main thread mid-move anyway.
    """
    if not _in_main_thread():
        yield
        return
    caught: list[int] = []
    held = (signal.SIGINT, *_TERMINATING_SIGNALS)
    previous = {
        sig: signal.signal(sig, lambda signum, _frame: caught.append(signum))
        for sig in held
        if signal.getsignal(sig) is not None  # a handler set outside Python is left alone
    }
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for signum in dict.fromkeys(caught):
            signal.raise_signal(signum)
