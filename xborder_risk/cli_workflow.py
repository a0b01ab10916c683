"""The underwriter's day-to-day commands of ``xborder-risk``: ``compare`` (options side by
side), ``history``, ``show`` and ``reproduce`` (the quote register) and ``init`` (a commented
submission to start from).

The commands are added to the ``xborder-risk`` application by :func:`add_commands`, which
``xborder_risk.cli`` calls with its error handling and output helpers (:class:`CliSupport`),
so that this module needs nothing from the layer above it.  Exit statuses are those of
``docs/cli.md``: 2 for invalid input (an option naming no field, a value of the wrong type, a
file that is not a register or of a newer schema, an unknown quote id), 1 when a stored
quote does not reproduce bit for bit.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from xborder_risk.compare import compare, parse_option, read_options
from xborder_risk.errors import ParameterError
from xborder_risk.exposure import Submission
from xborder_risk.exposure._types import escape_control_characters
from xborder_risk.exposure.template import TEMPLATE_KINDS, submission_template
from xborder_risk.quote import DEFAULT_N_YEARS, DEFAULT_SEED, Quote
from xborder_risk.rating import RatingTables
from xborder_risk.register import QuoteRegister
from xborder_risk.report import format_amount, line_label

__all__ = ["REGISTER_ENV", "CliSupport", "add_commands", "default_register", "register_quote"]

#: Environment variable naming the register (a path or SQLAlchemy URL) when ``--register`` is
#: not given; ``quotes.db`` in the working directory otherwise.
REGISTER_ENV = "XBORDER_RISK_REGISTER"
EXIT_NOT_REPRODUCED = 1


@dataclass(frozen=True)
class CliSupport:
    """What the commands borrow from ``xborder_risk.cli``: its error reporting (exceptions to
    messages and exit statuses), the library's warnings as notes, and the output console."""

    reported_errors: Callable[[], AbstractContextManager[None]]
    notes_on_stderr: Callable[[], AbstractContextManager[None]]
    stdout_console: Callable[[], Console]


def default_register() -> str:
    """The register used when none is named: ``$XBORDER_RISK_REGISTER`` or ``quotes.db``."""
    return os.environ.get(REGISTER_ENV) or "quotes.db"


def register_quote(location: str, q: Quote) -> int:
    """Store ``q`` in the register at ``location`` (created if missing); its id."""
    with QuoteRegister.open(location) as register:
        return register.store(q)


def expiring_from_register(submission: Submission, location: str | None) -> Submission:
    """A renewal that names its expiring quote (``renewal.expiring_quote_id``) with that
    quote's premium and its submission's differences filled in from the register.

    Raises
    ------
    ParameterError
        If the submission names an expiring quote but no register is given.
    RegisterError
        If the register has no such quote.
    """
    renewal = submission.renewal
    if renewal is None or renewal.expiring_premium or renewal.expiring_quote_id is None:
        return submission
    if location is None:
        raise ParameterError(
            "quote",
            "renewal.expiring_quote_id",
            renewal.expiring_quote_id,
            "names a quote in the register: give --register",
        )
    with QuoteRegister.open(location, create=False) as register:
        stored = register.get(renewal.expiring_quote_id)
    before = stored.submission.model_dump(mode="json", exclude={"renewal"})
    now = submission.model_dump(mode="json", exclude={"renewal"})
    differences = {key: value for key, value in before.items() if now.get(key) != value}
    premium = {line: p for line, p in stored.gross_premium.items() if line != "total"}
    return submission.with_changes(
        {
            "renewal.expiring_premium": premium,
            "renewal.expiring_changes": differences,
        }
    )


def _safe(value: object) -> Text:
    return Text(escape_control_characters(str(value)))


def _percent(value: float, digits: int = 1) -> str:
    return "" if pd.isna(value) else f"{100 * value:+,.{digits}f}%"


def _ratio(value: float, digits: int = 2) -> str:
    return "" if pd.isna(value) else f"{100 * value:,.{digits}f}%"


def _amount(value: float) -> str:
    return "" if pd.isna(value) else format_amount(value)


RegisterOption = Annotated[
    str | None,
    typer.Option(
        "--register",
        help=f"Quote register: an SQLite file or SQLAlchemy URL (default ${REGISTER_ENV}, "
        "else quotes.db).",
        show_default=False,
    ),
]


def add_commands(app: typer.Typer, support: CliSupport) -> None:
    """Add ``compare``, ``init``, ``history``, ``show`` and ``reproduce`` to ``app``."""

    @contextlib.contextmanager
    def guarded() -> Iterator[None]:
        with support.reported_errors(), support.notes_on_stderr():
            yield

    @app.command("compare")
    def compare_command(
        submission: Annotated[
            Path, typer.Argument(help="Submission file.", dir_okay=False, metavar="SUBMISSION")
        ],
        option: Annotated[
            list[str] | None,
            typer.Option(
                "--option",
                help="An option: 'label: path=value; path=value' (repeatable).",
                show_default=False,
            ),
        ] = None,
        options_file: Annotated[
            Path | None,
            typer.Option(
                "--options",
                help="YAML/JSON file: option label -> {field path: value}.",
                dir_okay=False,
                show_default=False,
            ),
        ] = None,
        years: Annotated[int, typer.Option("--years", "-n", min=1)] = DEFAULT_N_YEARS,
        seed: Annotated[int, typer.Option("--seed", min=0)] = DEFAULT_SEED,
        tables: Annotated[Path | None, typer.Option("--tables", file_okay=False)] = None,
    ) -> None:
        """Quote a submission under several options on the same random numbers."""
        with guarded():
            sub = Submission.from_file(submission)
            options: dict[str, dict[str, object]] = {}
            if options_file is not None:
                options.update(read_options(options_file))
            for text in option or []:
                label, changes = parse_option(text)
                options[label] = changes
            if not options:
                raise typer.BadParameter("give at least one --option or --options FILE")
            frame = compare(
                sub,
                options,
                n_years=years,
                seed=seed,
                tables=None if tables is None else RatingTables.load(tables),
            )
            console = support.stdout_console()
            console.print(
                _safe(
                    f"Options for {sub.insured.name}: amounts in {sub.currency}, "
                    f"{years:,} simulated policy periods, seed {seed} (the same random numbers "
                    "for every option)"
                )
            )
            table = Table(box=box.SIMPLE_HEAD)
            for heading in ("Option", "Line"):
                table.add_column(heading)
            for heading in (
                "Limit",
                "Deductible",
                "Share",
                "Gross premium",
                "Rate on line",
                "Loss ratio",
                "Change vs base",
            ):
                table.add_column(heading, justify="right")
            previous = None
            for (label, line), row in zip(frame.index, frame.to_dict("records"), strict=True):
                table.add_row(
                    _safe(label if label != previous else ""),
                    _safe(line_label(str(line))),
                    _amount(row["limit"]),
                    _amount(row["deductible"]),
                    _ratio(row["share"], 0),
                    _amount(row["gross_premium"]),
                    _ratio(row["rate_on_line"], 3),
                    _ratio(row["expected_loss_ratio"], 1),
                    _percent(row["premium_change"]),
                    end_section=line == "total",
                )
                previous = label
            console.print(table)

    @app.command("init")
    def init_command(
        file: Annotated[
            Path, typer.Argument(help="Submission file to write (.yaml).", dir_okay=False)
        ],
        kind: Annotated[
            str, typer.Option("--kind", help=f"The insured: {' or '.join(TEMPLATE_KINDS)}.")
        ] = "contractor",
        lines: Annotated[
            str | None,
            typer.Option(
                "--lines",
                help="Comma-separated lines to cover (default: the template's own).",
                show_default=False,
            ),
        ] = None,
        force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
    ) -> None:
        """Write a commented submission that validates as written, to edit."""
        with guarded():
            chosen = None if lines is None else [x.strip() for x in lines.split(",") if x.strip()]
            if kind not in TEMPLATE_KINDS:
                raise ParameterError("init", "--kind", kind, f"must be one of {TEMPLATE_KINDS}")
            if file.suffix.lower() not in {".yaml", ".yml"}:
                raise ParameterError("init", "FILE", str(file), "must end in .yaml or .yml")
            text = submission_template(kind, chosen)  # type: ignore[arg-type]
            try:
                with file.open("x" if not force else "w", encoding="utf-8") as handle:
                    handle.write(text)
            except FileExistsError:
                raise ParameterError(
                    "init", "FILE", str(file), "exists; give --force to replace it"
                ) from None
            support.stdout_console().print(
                _safe(f"wrote {file}: edit it, then 'xborder-risk validate {file}'")
            )

    @app.command("history")
    def history_command(
        register: RegisterOption = None,
        insured: Annotated[
            str | None,
            typer.Option("--insured", help="Only insureds whose name contains this text."),
        ] = None,
    ) -> None:
        """List the quotes in the register, newest first."""
        with guarded():
            with QuoteRegister.open(register or default_register(), create=False) as reg:
                frame = reg.history(insured)
            console = support.stdout_console()
            table = Table(box=box.SIMPLE_HEAD)
            for heading in ("Id", "Created (UTC)", "Insured", "Period", "Currency"):
                table.add_column(heading)
            for heading in ("Gross premium", "Expected loss", "Version"):
                table.add_column(heading, justify="right")
            for quote_id, row in frame.iterrows():
                table.add_row(
                    str(quote_id),
                    _safe(row["created"]),
                    _safe(row["insured"]),
                    _safe(f"{row['inception_date']} to {row['expiry_date']}"),
                    _safe(row["currency"]),
                    _amount(row["gross_premium"]),
                    _amount(row["expected_loss"]),
                    _safe(row["library_version"]),
                )
            console.print(table)
            console.print(_safe(f"{len(frame):,} quote(s)."))

    @app.command("show")
    def show_command(
        quote_id: Annotated[int, typer.Argument(metavar="QUOTE_ID", min=1)],
        register: RegisterOption = None,
    ) -> None:
        """Show a stored quote: its submission, premium per line and provenance."""
        with guarded():
            with QuoteRegister.open(register or default_register(), create=False) as reg:
                stored = reg.get(quote_id)
            sub = stored.submission
            record = stored.record
            provenance = record["provenance"]
            console = support.stdout_console()
            console.print(
                _safe(
                    f"Quote {quote_id} for {sub.insured.name} ({stored.created}): amounts in "
                    f"{sub.currency}, policy period {sub.inception_date} to {sub.expiry_date}"
                )
            )
            table = Table(box=box.SIMPLE_HEAD)
            table.add_column("Line")
            for heading in ("Limit", "Deductible", "Gross premium", "Expected loss"):
                table.add_column(heading, justify="right")
            for line, row in record["quote"].items():
                table.add_row(
                    _safe(line_label(line)),
                    *(
                        _amount(float("nan") if row.get(k) is None else float(row[k]))
                        for k in ("limit", "deductible", "gross_premium", "expected_loss")
                    ),
                )
            console.print(table)
            console.print(
                _safe(
                    f"seed {provenance['seed']}, {provenance['n_years']:,} simulated periods, "
                    f"xborder_risk {provenance['library_version']}, numpy "
                    f"{provenance['numpy_version']}, {len(provenance['table_checksums'])} "
                    "rating tables by checksum"
                )
            )
            console.print(_safe("submission:"))
            for text in sub.to_yaml().splitlines():
                console.print(_safe(f"  {text}"))

    @app.command("reproduce")
    def reproduce_command(
        quote_id: Annotated[int, typer.Argument(metavar="QUOTE_ID", min=1)],
        register: RegisterOption = None,
        tables: Annotated[Path | None, typer.Option("--tables", file_okay=False)] = None,
    ) -> None:
        """Run a stored quote again: bit for bit, or the reason why not (exit 1)."""
        with guarded():
            with QuoteRegister.open(register or default_register(), create=False) as reg:
                outcome = reg.reproduce(
                    quote_id, None if tables is None else RatingTables.load(tables)
                )
            console = support.stdout_console()
            console.print(_safe(f"quote {quote_id}: {outcome.reason}"))
        if not outcome.identical:
            raise typer.Exit(EXIT_NOT_REPRODUCED)
