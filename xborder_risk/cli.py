"""The ``xborder-risk`` command line: quote a submission, validate it, check rating tables.

Exit status (see ``docs/cli.md``):

* 0 - success;
* 1 - the command could not finish: a file could not be read or written (a full disk),
  standard output is closed or its reader has gone, or the library refused the computation
  (for example a simulation too large for memory);
* 2 - invalid input: the submission (every invalid field is listed), a submission path that
  is not a regular file or is over a reading limit, the rating tables, an option's value, an
  ``--out`` whose report would replace an input file, or the command line itself;
* 130, 143 - interrupted by SIGINT or terminated by SIGTERM (while the report is written, the
  previous report is left as it was).

No error prints a Python traceback unless the environment variable
``XBORDER_RISK_DEBUG=1`` asks for one.  Text from the input (names, notes, file names, rating
table cells) reaches the terminal with its control characters shown as escapes (``\\x1b``),
never as terminal commands.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import shutil
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich import box
from rich.console import Console
from rich.measure import Measurement
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

import xborder_risk._arrow_allocator  # noqa: F401  (imported for effect, before pandas)
from xborder_risk import cli_workflow
from xborder_risk._version import __version__
from xborder_risk.cli_reserve import reserve_command
from xborder_risk.engine.rng import BLOCK_YEARS
from xborder_risk.errors import (
    ParameterError,
    RatingTableError,
    XBorderRiskError,
    XBorderRiskWarning,
)
from xborder_risk.exposure import InvalidSubmissionError, Submission
from xborder_risk.exposure._types import escape_control_characters
from xborder_risk.quote import DEFAULT_N_YEARS, DEFAULT_SEED, Quote, QuoteBasis
from xborder_risk.quote import quote as make_quote
from xborder_risk.rating import RatingTables, rate
from xborder_risk.report import (
    DEFAULT_FORMATS,
    REPORT_FORMATS,
    line_label,
    parse_formats,
    referral_text,
    refuse_overwriting_inputs,
    renewal_text,
    summary_cells,
    summary_frame,
    write_report,
)

__all__ = ["EXIT_ERROR", "EXIT_INVALID_INPUT", "EXIT_OK", "app", "main", "terminal_text"]

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_INVALID_INPUT = 2

#: Set to 1 to let unexpected errors show their traceback (for bug reports).
DEBUG_ENV = "XBORDER_RISK_DEBUG"
#: Width of the printed table when standard output is not a terminal and COLUMNS is unset.
PIPE_WIDTH = 160
#: COLUMNS (or a terminal's width) is kept within these bounds: narrower than 40 columns
#: nothing readable fits (COLUMNS=0 used to print nothing at all), wider is only padding.
MIN_WIDTH, MAX_WIDTH = 40, 1000
#: Largest ``schema --indent``: deeper indentation only inflates the output (an indent of
#: 1,000,000 would print some 20 GB).
MAX_INDENT = 16

app = typer.Typer(
    name="xborder-risk",
    help="Price and reserve insurance for cross-border security operations.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
tables_app = typer.Typer(help="Check rating tables.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(tables_app, name="tables")
# reserves from a claims file (issue 14): the command lives in its own module
app.command("reserve")(reserve_command)


# --------------------------------------------------------------------------------------------
# terminal and errors


def _is_interactive() -> bool:
    """Whether a person is watching: stderr (where the progress bar goes) is a terminal."""
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced or closed stream
        return False


def _output_width() -> int:
    """Columns for the printed output: COLUMNS if it is a number, else the terminal's width,
    else :data:`PIPE_WIDTH`; kept within [:data:`MIN_WIDTH`, :data:`MAX_WIDTH`]."""
    try:
        width = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        width = shutil.get_terminal_size((PIPE_WIDTH, 24)).columns if _stdout_is_tty() else 0
        width = width or PIPE_WIDTH
    return min(max(width, MIN_WIDTH), MAX_WIDTH)


def _stdout_is_tty() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):  # replaced or closed stream
        return False


def _require_stdout() -> None:
    """Refuse to start with standard output closed (``>&-``): print() would drop the output."""
    if sys.stdout is None:
        _fail("standard output is closed: nothing done", EXIT_ERROR)


def _stdout_console() -> Console:
    # Looked up at call time so that a redirected sys.stdout (tests, pipes) is honoured.
    # A pipe has no width: rich would assume 80 columns and crop the quote table.
    _require_stdout()
    return Console(file=sys.stdout, width=_output_width(), highlight=False)


def terminal_text(value: object) -> str:
    """``str(value)`` with control characters shown as Python escapes (ESC as ``\\x1b``).

    Parameters
    ----------
    value : object
        Any text bound for the terminal: a name, a message, a file name.

    Returns
    -------
    str
        One line of printable text (line breaks are escaped too).
    """
    return escape_control_characters(str(value))


def _safe(value: object) -> Text:
    return Text(terminal_text(value))


def _fail(message: str, code: int) -> NoReturn:
    # Each line made safe for the terminal on its own, so a multi-line list stays a list.
    safe = "\n".join(terminal_text(line) for line in message.split("\n"))
    with contextlib.suppress(OSError, ValueError, AttributeError):  # stderr closed too
        typer.echo(f"error: {safe}", err=True)
    raise typer.Exit(code)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


@contextlib.contextmanager
def _reported_errors() -> Iterator[None]:
    """Turn the library's exceptions into an error message and an exit status."""
    try:
        yield
    except InvalidSubmissionError as exc:
        # str(exc) lists every invalid field by its path, one per line.
        _fail(str(exc), EXIT_INVALID_INPUT)
    except (RatingTableError, ParameterError) as exc:
        _fail(_one_line(exc), EXIT_INVALID_INPUT)
    except XBorderRiskError as exc:
        _fail(_one_line(exc), EXIT_ERROR)
    except BrokenPipeError:
        raise  # the reader went away (`| head`): click exits quietly with status 1
    except OSError as exc:
        where = f": {exc.filename}" if exc.filename else ""
        reason = exc.strerror or _one_line(exc)
        _fail(f"{reason}{where}", EXIT_ERROR)
    except (typer.Exit, typer.Abort, KeyboardInterrupt):
        raise
    except Exception as exc:
        if os.environ.get(DEBUG_ENV) == "1":
            raise
        _fail(
            f"internal error ({type(exc).__name__}: {_one_line(exc)}); please report it, "
            f"with the traceback shown by {DEBUG_ENV}=1",
            EXIT_ERROR,
        )


@contextlib.contextmanager
def _notes_on_stderr() -> Iterator[None]:
    """Show the library's warnings as one-line notes instead of Python's warning format."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", XBorderRiskWarning)
        yield
    for item in caught:
        typer.echo(f"note: {terminal_text(_one_line(Exception(item.message)))}", err=True)


def _load_tables(path: Path | None) -> RatingTables:
    return RatingTables.load(path)


def _load_submission(path: Path) -> Submission:
    return Submission.from_file(path)


def _input_files(submission: Path, tables: Path | None) -> list[Path]:
    """Every file the run read, which its report must never replace."""
    files = [submission]
    if tables is not None:
        with contextlib.suppress(OSError):
            files += [entry for entry in tables.iterdir() if entry.is_file()]
    return files


# --------------------------------------------------------------------------------------------
# options


def _valuation_date(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date in the form YYYY-MM-DD") from None
    return value


def _formats(value: str) -> str:
    try:
        parse_formats(value)
    except ParameterError:
        raise typer.BadParameter(
            f"{value!r}: use a comma-separated list of {', '.join(REPORT_FORMATS)}"
        ) from None
    return value


def _version(value: bool) -> None:
    if value:
        typer.echo(f"xborder-risk {__version__}")
        raise typer.Exit(EXIT_OK)


_STEM_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def _report_stem(submission_path: Path) -> str:
    stem = _STEM_UNSAFE.sub("_", submission_path.stem).strip("._-")[:100]
    return stem or "quote"


SubmissionArgument = Annotated[
    Path,
    typer.Argument(
        help="Submission file (.yaml, .yml or .json).",
        dir_okay=False,
        show_default=False,
        metavar="SUBMISSION",
    ),
]
TablesOption = Annotated[
    Path | None,
    typer.Option(
        "--tables",
        help="Directory of rating tables (manifest.yaml and CSVs); the shipped tables if omitted.",
        file_okay=False,
        show_default=False,
    ),
]


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Show the version and exit.", callback=_version, is_eager=True
        ),
    ] = False,
) -> None:
    """Price and reserve insurance for cross-border security operations.

    Run 'xborder-risk quote SUBMISSION' for a quote report; see docs/cli.md.
    """


# --------------------------------------------------------------------------------------------
# quote


class _ProgressBar:
    """A rich progress bar on stderr fed by the engine's ``progress(done, total)`` calls."""

    def __init__(self, n_years: int) -> None:
        console = Console(file=sys.stderr, force_terminal=True)
        self._progress = Progress(
            TextColumn("Simulating"),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.completed:,.0f} / {task.total:,.0f} years"),
            TimeRemainingColumn(),
            console=console,
            transient=True,
        )
        self._task = self._progress.add_task("simulate", total=n_years)

    def __enter__(self) -> Callable[[int, int], None]:
        self._progress.start()
        return self.update

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def update(self, done: int, total: int) -> None:
        self._progress.update(self._task, completed=done, total=total)


def _summary_table(labels: list[str], columns: list[str], cells: list[list[str]]) -> Table:
    table = Table(box=box.SIMPLE_HEAD)
    # Fixed widths: a heading wraps at its spaces, numbers and line names never wrap, and the
    # table's width is known before it is drawn.
    table.add_column(_safe("Line"), width=max(len(label) for label in labels))
    for j, column in enumerate(columns):
        width = max(*(len(row[j]) for row in cells), *(len(word) for word in column.split()))
        table.add_column(_safe(column), justify="right", width=width)
    last = len(labels) - 1
    for i, (label, row) in enumerate(zip(labels, cells, strict=True)):
        table.add_row(
            _safe(label), *(_safe(cell) for cell in row), style="bold" if i == last else ""
        )
    return table


def _print_summary(q: Quote, files: dict[str, list[Path]]) -> None:
    console = _stdout_console()
    frame = summary_frame(q)
    submission = q.submission
    console.print(
        _safe(
            f"Quote for {submission.insured.name}: amounts in {q.currency}, policy period "
            f"{submission.inception_date.isoformat()} to {submission.expiry_date.isoformat()}"
        )
    )
    labels = [str(label) for label in frame.index]
    columns = [str(column) for column in frame.columns]
    cells = summary_cells(frame)
    shown = len(columns)
    table = _summary_table(labels, columns, cells)
    # A terminal too narrow for every column loses the rightmost ones rather than showing
    # cropped numbers; the report has them all.
    unbounded = console.options.update_width(1 << 16)  # rich clamps a measure to the width
    while shown > 1 and Measurement.get(console, unbounded, table).minimum > console.width:
        shown -= 1
        table = _summary_table(labels, columns[:shown], [row[:shown] for row in cells])
    console.print(table)
    if shown < len(columns):
        console.print(_safe(f"(terminal too narrow: {', '.join(columns[shown:])} in the report)"))
    console.print(
        Text(
            f"{q.simulation.n_years:,} simulated policy periods, seed {q.provenance.seed}; "
            "VaR/TVaR of the loss in one policy period."
        )
    )
    for referral in q.referrals:
        console.print(Text(referral_text(referral), style="bold"))
    renewal = renewal_text(q)
    if renewal is not None:
        console.print(_safe(renewal))
    if q.messages:
        console.print(
            _safe(
                f"{len(q.messages)} note(s) for the underwriter: see 'Notes for the "
                "underwriter' in the report."
            )
        )
    for fmt, paths in files.items():
        for path in paths:
            console.print(_safe(f"wrote {fmt:<4} {path}"))


@app.command("quote")
def quote_command(
    submission: SubmissionArgument,
    years: Annotated[
        int,
        typer.Option(
            "--years", "-n", min=1, help="Simulated policy periods (more: smaller MC error)."
        ),
    ] = DEFAULT_N_YEARS,
    seed: Annotated[
        int, typer.Option("--seed", min=0, help="Root random seed (same seed, same quote).")
    ] = DEFAULT_SEED,
    tables: TablesOption = None,
    out: Annotated[
        Path,
        typer.Option("--out", "-o", help="Directory for the report files.", file_okay=False),
    ] = Path("quote_out"),
    formats: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help=f"Report formats, comma-separated, among {','.join(REPORT_FORMATS)}.",
            callback=_formats,
        ),
    ] = ",".join(DEFAULT_FORMATS),
    valuation_date: Annotated[
        str | None,
        typer.Option(
            "--valuation-date",
            help="Reserve valuation date YYYY-MM-DD (default: inception).",
            callback=_valuation_date,
            show_default=False,
        ),
    ] = None,
    basis: Annotated[
        Path | None,
        typer.Option(
            "--basis",
            help="Pricing and reserving basis file (YAML or JSON; 'xborder-risk schema "
            "--basis' prints its schema). The default basis if omitted.",
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
    name: Annotated[
        str | None,
        typer.Option(
            "--name",
            help="Base name of the report files (default: the submission file's name).",
            show_default=False,
        ),
    ] = None,
    book: Annotated[
        Path | None,
        typer.Option(
            "--book",
            help="Directory of the reference book (book.yaml and policies) the capital is "
            "priced against; the shipped illustrative book if omitted.",
            file_okay=False,
            show_default=False,
        ),
    ] = None,
    register: Annotated[
        str | None,
        typer.Option(
            "--register",
            help="Also store the quote in this register (SQLite file or SQLAlchemy URL).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Quote a submission: print the premium table and write the quote report."""
    with _reported_errors():
        _require_stdout()
        stem = name or _report_stem(submission)
        inputs = _input_files(submission, tables)
        # Before the simulation, so that a clash costs nothing; write_report checks again.
        refuse_overwriting_inputs(out, stem, formats, inputs)
        with _notes_on_stderr():
            loaded_tables = None if tables is None else _load_tables(tables)
            loaded_basis = None if basis is None else QuoteBasis.from_file(basis)
            sub = cli_workflow.expiring_from_register(_load_submission(submission), register)
            if _is_interactive():
                with _ProgressBar(years) as progress:
                    q = make_quote(
                        sub,
                        n_years=years,
                        seed=seed,
                        tables=loaded_tables,
                        valuation_date=valuation_date,
                        basis=loaded_basis,
                        chunk_years=BLOCK_YEARS,
                        progress=progress,
                        book=book,
                    )
            else:
                q = make_quote(
                    sub,
                    n_years=years,
                    seed=seed,
                    tables=loaded_tables,
                    valuation_date=valuation_date,
                    book=book,
                    basis=loaded_basis,
                )
        files = write_report(
            q,
            out,
            stem=stem,
            formats=parse_formats(formats),
            inputs=inputs,
        )
        _print_summary(q, files)
        if register is not None:
            quote_id = cli_workflow.register_quote(register, q)
            _stdout_console().print(_safe(f"registered as quote {quote_id} in {register}"))


# --------------------------------------------------------------------------------------------
# validate, tables check, schema


@app.command("validate")
def validate_command(submission: SubmissionArgument, tables: TablesOption = None) -> None:
    """Check a submission: every field against the schema, then that it rates."""
    with _reported_errors():
        _require_stdout()
        with _notes_on_stderr():
            sub = _load_submission(submission)
            rated = rate(sub, _load_tables(tables))
        console = _stdout_console()
        lines = ", ".join(line_label(line) for line in sub.lines)
        console.print(
            _safe(
                f"OK: {submission} is a valid submission for {sub.insured.name} "
                f"({sub.currency}, {sub.inception_date.isoformat()} to "
                f"{sub.expiry_date.isoformat()}; lines: {lines})."
            )
        )
        for message in rated.messages:
            console.print(_safe(f"note: {message}"))


@tables_app.command("check")
def tables_check_command(
    directory: Annotated[
        Path | None,
        typer.Argument(
            help="Directory of rating tables; the shipped tables if omitted.",
            file_okay=False,
            show_default=False,
            metavar="[DIR]",
        ),
    ] = None,
) -> None:
    """Validate rating tables: manifest, schema, codes, checksums."""
    with _reported_errors():
        _require_stdout()
        with _notes_on_stderr():
            loaded = _load_tables(directory)
        console = _stdout_console()
        entries = loaded.manifest.get("tables", {})
        table = Table(title=_safe(f"Rating tables: {loaded.source}"), title_justify="left")
        for heading in ("Table", "Version", "Effective", "Rows", "Illustrative", "sha256"):
            table.add_column(_safe(heading), justify="right" if heading == "Rows" else "left")
        for name in loaded.table_names:
            entry = entries.get(name, {})
            table.add_row(
                _safe(name),
                _safe(str(entry.get("version", ""))),
                _safe(str(entry.get("effective_date", ""))),
                _safe(f"{len(loaded.table(name)):,}"),
                _safe("yes" if entry.get("illustrative") else "no"),
                _safe(str(loaded.checksums.get(name, ""))[:16] + "..."),
            )
        console.print(table)
        console.print(_safe(f"OK: {len(loaded.table_names)} tables valid."))


@app.command("schema")
def schema_command(
    indent: Annotated[
        int, typer.Option("--indent", min=0, max=MAX_INDENT, help="JSON indentation.")
    ] = 2,
    basis: Annotated[
        bool,
        typer.Option("--basis", help="The schema of a basis file (quote --basis) instead."),
    ] = False,
) -> None:
    """Print the JSON Schema of a submission, or of a basis file (for editors and tools)."""
    with _reported_errors():
        _require_stdout()
        schema = QuoteBasis.json_schema() if basis else Submission.model_json_schema()
        typer.echo(json.dumps(schema, indent=indent or None, ensure_ascii=False))


cli_workflow.add_commands(
    app,
    cli_workflow.CliSupport(
        reported_errors=_reported_errors,
        notes_on_stderr=_notes_on_stderr,
        stdout_console=_stdout_console,
    ),
)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``xborder-risk`` console script.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name; ``sys.argv[1:]`` by default.
    """
    app(args=None if argv is None else list(argv), prog_name="xborder-risk")


if __name__ == "__main__":
    main()
