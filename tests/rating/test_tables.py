"""Loading and validation of the rating tables."""

from __future__ import annotations

import dataclasses
import hashlib
import math
import shutil
import subprocess
import sys
import textwrap
import warnings
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
import yaml

from xborder_risk.errors import RatingTableError, XBorderRiskWarning
from xborder_risk.exposure import COUNTRY_CODES, CURRENCY_CODES
from xborder_risk.rating import RatingTables, refresh_checksums, shipped_tables_location

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "rating_tables"


@pytest.fixture(scope="module")
def shipped() -> RatingTables:
    return RatingTables.load()


# ---------------------------------------------------------------------------------------------
# the shipped tables


def test_shipped_tables_load_and_list_every_table(shipped: RatingTables) -> None:
    manifest = yaml.safe_load((SHIPPED / "manifest.yaml").read_text())
    assert shipped.table_names == tuple(manifest["tables"])
    assert set(shipped.versions) == set(manifest["tables"])
    for name, entry in manifest["tables"].items():
        digest = hashlib.sha256((SHIPPED / entry["file"]).read_bytes()).hexdigest()
        assert shipped.checksums[name] == digest
        assert isinstance(entry["illustrative"], bool)
        assert all(src["status"] in {"V", "S", "U"} for src in entry["sources"])


def test_country_table_is_the_full_iso_3166_list(shipped: RatingTables) -> None:
    countries = shipped.countries
    assert len(countries) == 249
    # The exposure models accept exactly ISO 3166-1: every accepted code must be ratable.
    assert set(countries["code"]) == set(COUNTRY_CODES)
    assert countries["oecd_crc"].between(0, 7).all()
    assert countries["oecd_crc"].dtype == "int64"


def test_namibia_and_norway_survive_csv_and_yaml_pitfalls(shipped: RatingTables) -> None:
    namibia = shipped.country("NA")
    assert namibia["name"] == "Namibia"
    assert shipped.country("NO")["name"] == "Norway"
    assert not shipped.countries.isna().any().any()


def test_published_anchor_classes(shipped: RatingTables) -> None:
    # OECD: high-income OECD / euro-area countries are not classified and priced as class 0;
    # the 2 Feb 2024 changes (Montenegro 6, Georgia 5, Qatar 2, Oman 4).
    for code in ("DE", "NO", "US", "JP", "HR"):
        assert shipped.country(code)["oecd_crc"] == 0
    assert {c: int(shipped.country(c)["oecd_crc"]) for c in ("ME", "GE", "QA", "OM")} == {
        "ME": 6,
        "GE": 5,
        "QA": 2,
        "OM": 4,
    }
    defaults = shipped.countries.query("crc_basis == 'default_conservative'")
    assert (defaults["oecd_crc"] == shipped.parameter("default_oecd_crc")).all()


def test_fx_covers_major_currencies_and_converts_through_usd(shipped: RatingTables) -> None:
    assert set(shipped.fx["currency"]) <= set(CURRENCY_CODES)
    assert shipped.fx_rate("USD") == 1.0
    eur, gbp = shipped.fx_rate("EUR"), shipped.fx_rate("GBP")
    assert shipped.convert(100.0, "EUR", "GBP") == pytest.approx(100.0 * eur / gbp)
    assert shipped.convert(100.0, "NOK", "NOK") == 100.0
    # Hard peg: XOF is fixed at 655.957 per EUR.
    assert shipped.fx_rate("XOF") == pytest.approx(eur / 655.957, rel=2e-3)
    with pytest.raises(RatingTableError, match=r"fx\.csv: no exchange rate for currency 'MNT'"):
        shipped.fx_rate("MNT")


def test_accessors_return_copies_and_object_is_frozen(shipped: RatingTables) -> None:
    frame = shipped.fx
    frame.loc[0, "rate_to_usd"] = 99.0
    assert shipped.fx_rate(str(frame.loc[0, "currency"])) != 99.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        shipped.source = "elsewhere"  # type: ignore[misc]
    with pytest.raises(TypeError):
        shipped.manifest["tables"]["fx"]["version"] = "x"  # type: ignore[index]


def test_band_bounds_are_lower_inclusive_upper_exclusive(shipped: RatingTables) -> None:
    assert shipped.band("cyber", "weighted_records", 1e6)[2] == "[1e+06, 1e+07)"
    assert shipped.band("cyber", "weighted_records", 999_999.0)[2] == "[100000, 1e+06)"
    assert shipped.band("cyber", "partner_connections", 0)[0] == 1.0
    assert shipped.band("cyber", "weighted_records", 1e30)[2].endswith("inf)")


def test_patterns_are_monotone_and_end_at_one(shipped: RatingTables) -> None:
    for _line, group in shipped.patterns.groupby("line"):
        g = group.sort_values("development_months")
        assert g["cumulative_reported"].is_monotonic_increasing
        assert g["cumulative_paid"].is_monotonic_increasing
        assert (g["cumulative_paid"] <= g["cumulative_reported"]).all()
        assert g["cumulative_reported"].iloc[-1] == 1.0 and g["cumulative_paid"].iloc[-1] == 1.0
    tails = shipped.patterns.groupby("line")["development_months"].max()
    assert tails["tech_failure"] < tails["cyber"] < tails["operational_liability"]


def test_premium_tax_table_rates_by_country(shipped: RatingTables) -> None:
    assert shipped.has_premium_tax
    frame = shipped.premium_tax
    assert list(frame.columns) == ["country", "premium_tax_rate", "basis"]
    assert frame["premium_tax_rate"].between(0.0, 1.0, inclusive="left").all()
    assert (frame["basis"].str.len() > 0).all()
    rates = dict(zip(frame["country"], frame["premium_tax_rate"], strict=True))
    assert rates["GB"] == 0.12 and rates["DE"] == 0.19 and rates["IT"] == 0.2225
    gb = shipped.premium_tax_for("GB")
    assert gb is not None and gb["premium_tax_rate"] == 0.12
    # A country without a row has no premium tax in the tables (the quote says so).
    assert shipped.premium_tax_for("NO") is None
    entry = shipped.manifest["tables"]["premium_tax"]
    assert entry["key"] == ("country",) and entry["illustrative"] is True
    assert {src["status"] for src in entry["sources"]} == {"U"}


def test_unknown_table_and_missing_directory_are_clear_errors(shipped: RatingTables) -> None:
    with pytest.raises(RatingTableError, match="no rating table named 'nope'"):
        shipped.table("nope")
    with pytest.raises(RatingTableError, match="does not exist"):
        RatingTables.load("/nonexistent/rating/tables")


# ---------------------------------------------------------------------------------------------
# installed layout


def test_shipped_location_prefers_the_packaged_resource(tmp_path: Path) -> None:
    # An installed wheel holds the tables as xborder_risk/_rating_tables and has no repository
    # root beside it: copy the package that way and load from a foreign working directory.
    site = tmp_path / "site"
    shutil.copytree(
        REPO / "xborder_risk",
        site / "xborder_risk",
        ignore=shutil.ignore_patterns("__pycache__", "_rating_tables"),
    )
    shutil.copytree(SHIPPED, site / "xborder_risk" / "_rating_tables")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = textwrap.dedent(
        """
        import xborder_risk
        from xborder_risk.rating import RatingTables, shipped_tables_location
        t = RatingTables.load()
        print(xborder_risk.__file__)
        print(shipped_tables_location())
        print(t.country("NA")["name"], len(t.countries))
        """
    )
    result = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(site)!r})\n{code}"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    package_file, location, summary = result.stdout.strip().splitlines()
    assert package_file.startswith(str(site))
    assert location == str(site / "xborder_risk" / "_rating_tables")
    assert summary == "Namibia 249"


def test_source_checkout_falls_back_to_repository_root() -> None:
    location = shipped_tables_location()
    packaged = REPO / "xborder_risk" / "_rating_tables"
    if not packaged.exists():
        assert Path(str(location)) == SHIPPED


def test_wheel_built_from_the_repository_ships_the_tables(tmp_path: Path) -> None:
    pytest.importorskip("hatchling")
    wheel_dir = tmp_path / "wheel"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(wheel_dir),
            str(REPO),
        ],
        check=True,
        capture_output=True,
    )
    target = tmp_path / "target"
    (wheel,) = wheel_dir.glob("*.whl")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-t", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    code = (
        f"import sys; sys.path.insert(0, {str(target)!r})\n"
        "from xborder_risk.rating import RatingTables, shipped_tables_location\n"
        "print(shipped_tables_location()); print(len(RatingTables.load().countries))"
    )
    result = subprocess.run(
        [sys.executable, "-I", "-c", code], cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    location, count = result.stdout.split()
    assert location.startswith(str(target)) and count == "249"


# ---------------------------------------------------------------------------------------------
# corruptions: each one a modified copy of the shipped tables


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "tables"
    shutil.copytree(SHIPPED, target)
    return target


def _edit_csv(directory: Path, file: str, edit: Callable[[list[str]], list[str]]) -> None:
    path = directory / file
    lines = path.read_text().splitlines()
    path.write_text("\n".join(edit(lines)) + "\n")


def _replace_cell(row: int, column: str, value: str) -> Callable[[list[str]], list[str]]:
    """Edit data row ``row`` (1-based) of a simple CSV (no quoted commas)."""

    def edit(lines: list[str]) -> list[str]:
        header = lines[0].split(",")
        cells = lines[row].split(",")
        cells[header.index(column)] = value
        lines[row] = ",".join(cells)
        return lines

    return edit


def _load_corrupt(
    tmp_path: Path, file: str, edit: Callable[[list[str]], list[str]], *, refresh: bool = True
) -> None:
    directory = _copy(tmp_path)
    _edit_csv(directory, file, edit)
    if refresh:
        refresh_checksums(directory)
    RatingTables.load(directory)


def test_a_user_copy_loads_like_the_shipped_tables(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    tables = RatingTables.load(directory)
    assert tables.source == str(directory)
    assert tables.country("NA")["name"] == "Namibia"


def _drop_premium_tax(directory: Path) -> None:
    """Remove the optional premium-tax table from a copy: CSV and manifest entry."""
    (directory / "premium_tax.csv").unlink()
    manifest = directory / "manifest.yaml"
    text = manifest.read_text()
    start, end = text.index("  premium_tax:\n"), text.index("  patterns:\n")
    manifest.write_text(text[:start] + text[end:])


def test_a_user_directory_without_premium_tax_loads(tmp_path: Path) -> None:
    # The premium-tax table is optional: a directory whose manifest does not list it (an
    # actuary's tables made before it existed) loads and has no country premium taxes.
    directory = _copy(tmp_path)
    _drop_premium_tax(directory)
    with warnings.catch_warnings():
        warnings.simplefilter("error", XBorderRiskWarning)
        tables = RatingTables.load(directory)
    assert not tables.has_premium_tax
    assert "premium_tax" not in tables.table_names
    with pytest.raises(RatingTableError, match="have no 'premium_tax' table"):
        tables.premium_tax_for("GB")
    with pytest.raises(RatingTableError, match="no rating table named 'premium_tax'"):
        _ = tables.premium_tax


def test_premium_tax_listed_but_missing_is_an_error(tmp_path: Path) -> None:
    # Listed in the manifest, the table must be there, like every other table.
    directory = _copy(tmp_path)
    (directory / "premium_tax.csv").unlink()
    with pytest.raises(RatingTableError, match=r"table 'premium_tax' lists file.*missing"):
        RatingTables.load(directory)


def test_manifest_entry_without_its_file(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    (directory / "bands.csv").unlink()
    with pytest.raises(RatingTableError, match=r"table 'bands' lists file 'bands\.csv'.*missing"):
        RatingTables.load(directory)


def test_file_not_in_the_manifest_warns(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    (directory / "my_notes.csv").write_text("a,b\n1,2\n")
    with pytest.warns(XBorderRiskWarning, match=r"my_notes\.csv.*not listed"):
        RatingTables.load(directory)


def test_checksum_mismatch_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(RatingTableError, match=r"fx\.csv: sha256 [0-9a-f]{64} does not match"):
        _load_corrupt(tmp_path, "fx.csv", _replace_cell(2, "rate_to_usd", "1.05"), refresh=False)


def test_refresh_checksums_accepts_a_deliberate_edit(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    _edit_csv(directory, "fx.csv", _replace_cell(2, "rate_to_usd", "1.05"))
    new = refresh_checksums(directory)
    assert new["fx"] == hashlib.sha256((directory / "fx.csv").read_bytes()).hexdigest()
    assert RatingTables.load(directory).fx_rate("EUR") == 1.05
    assert "# Manifest of the xborder_risk" in (directory / "manifest.yaml").read_text()


@pytest.mark.parametrize(
    ("file", "edit", "message"),
    [
        pytest.param(
            "severity_base.csv",
            lambda lines: [",".join(x.split(",")[:-1]) for x in lines],
            r"severity_base\.csv: missing column 'sigma'",
            id="missing-column",
        ),
        pytest.param(
            "fx.csv",
            lambda lines: [lines[0] + ",source"] + [x + ",ecb" for x in lines[1:]],
            r"fx\.csv: column 'source' is not declared",
            id="extra-column",
        ),
        pytest.param(
            "relativities.csv",
            lambda lines: [*lines, lines[5]],
            r"relativities\.csv: rows \[5, 35\] repeat the key \(line='tech_failure', "
            r"factor='system_type', level='traveller_data_platform'\)",
            id="duplicate-key",
        ),
        pytest.param(
            "frequency_base.csv",
            _replace_cell(3, "frequency_per_unit", "abc"),
            r"frequency_base\.csv, row 3 \(line 4\), column 'frequency_per_unit': 'abc' is not "
            r"a number",
            id="non-numeric-rate",
        ),
        pytest.param(
            "frequency_base.csv",
            _replace_cell(2, "frequency_per_unit", "-0.1"),
            r"frequency_base\.csv, row 2 \(line 3\), column 'frequency_per_unit': '-0\.1' must "
            r"be >= 0",
            id="negative-rate",
        ),
        pytest.param(
            "severity_base.csv",
            _replace_cell(4, "median", "nan"),
            r"severity_base\.csv, row 4 \(line 5\), column 'median': NaN is not allowed",
            id="nan-rate",
        ),
        pytest.param(
            "severity_base.csv",
            _replace_cell(4, "median", "inf"),
            r"severity_base\.csv, row 4 \(line 5\), column 'median': 'inf' is not finite",
            id="infinite-rate",
        ),
        pytest.param(
            "relativities.csv",
            _replace_cell(7, "frequency_factor", ""),
            r"relativities\.csv, row 7 \(line 8\), column 'frequency_factor': empty value",
            id="empty-cell",
        ),
        pytest.param(
            "political_risk_rates.csv",
            _replace_cell(32, "frequency_per_contract_year", "1.5"),
            r"political_risk_rates\.csv, row 32 \(line 33\), column "
            r"'frequency_per_contract_year': '1\.5' must be <= 1",
            id="probability-above-one",
        ),
        pytest.param(
            "patterns.csv",
            _replace_cell(1, "cumulative_paid", "-0.2"),
            r"patterns\.csv, row 1 \(line 2\), column 'cumulative_paid': '-0\.2' must be > 0",
            id="probability-below-zero",
        ),
        pytest.param(
            "countries.csv",
            _replace_cell(1, "sovereign", "XX"),
            r"countries\.csv, row 1 \(line 2\), column 'sovereign': 'XX' is not in "
            r"countries\.csv",
            id="unknown-country",
        ),
        pytest.param(
            "countries.csv",
            _replace_cell(1, "code", "XK"),
            r"countries\.csv, row 1 \(line 2\), column 'code': 'XK' is not in the ISO 3166-1 "
            r"alpha-2 list",
            id="country-table-code-not-iso",
        ),
        pytest.param(
            "fx.csv",
            _replace_cell(3, "currency", "HRK"),
            r"fx\.csv, row 3 \(line 4\), column 'currency': 'HRK' is not in the active ISO 4217 "
            r"list",
            id="fx-currency-not-iso",
        ),
        pytest.param(
            "countries.csv",
            _replace_cell(1, "sovereign", "ad"),
            r"countries\.csv, row 1 \(line 2\), column 'sovereign': 'ad' is not an ISO 3166-1",
            id="malformed-country",
        ),
        pytest.param(
            "countries.csv",
            _replace_cell(1, "oecd_crc", "2.5"),
            r"countries\.csv, row 1 \(line 2\), column 'oecd_crc': '2\.5' is not an integer",
            id="class-not-integer",
        ),
        pytest.param(
            "countries.csv",
            _replace_cell(1, "oecd_crc", "8"),
            r"countries\.csv, row 1 \(line 2\), column 'oecd_crc': '8' must be <= 7",
            id="class-out-of-range",
        ),
        pytest.param(
            "severity_base.csv",
            _replace_cell(1, "currency", "ZZZ"),
            r"severity_base\.csv, row 1 \(line 2\), column 'currency': 'ZZZ' is not in fx\.csv",
            id="currency-without-fx",
        ),
        pytest.param(
            "fx.csv",
            _replace_cell(3, "as_of", "31/12/2024"),
            r"fx\.csv, row 3 \(line 4\), column 'as_of': '31/12/2024' is not an ISO date",
            id="bad-date",
        ),
        pytest.param(
            "patterns.csv",
            _replace_cell(2, "cumulative_reported", "0.78"),
            r"patterns\.csv, row 2 \(line 3\), column 'cumulative_reported': pattern of "
            r"'tech_failure' falls from 0\.8 to 0\.78",
            id="pattern-not-monotone",
        ),
        pytest.param(
            "patterns.csv",
            _replace_cell(4, "cumulative_paid", "0.99"),
            r"patterns\.csv, row 4 \(line 5\), column 'cumulative_paid': pattern of "
            r"'tech_failure' must end at 1",
            id="pattern-not-ending-at-one",
        ),
        pytest.param(
            "patterns.csv",
            _replace_cell(1, "cumulative_paid", "0.9"),
            r"patterns\.csv, row 1 \(line 2\), column 'cumulative_paid': paid 0\.9 exceeds "
            r"reported 0\.8",
            id="paid-above-reported",
        ),
        pytest.param(
            "bands.csv",
            _replace_cell(2, "lower", "3"),
            r"bands\.csv, row 2 \(line 3\), column 'lower': bands of \(tech_failure, "
            r"system_age_years\) must be contiguous",
            id="band-gap",
        ),
        pytest.param(
            "bands.csv",
            _replace_cell(10, "frequency_factor", "0.9"),
            r"bands\.csv, row 10 \(line 11\), column 'frequency_factor': factors of \(cyber, "
            r"weighted_records\) must not fall",
            id="records-band-not-monotone",
        ),
        pytest.param(
            "relativities.csv",
            _replace_cell(14, "frequency_factor", "1.2"),
            r"relativities\.csv, row 14 \(line 15\), column 'frequency_factor': the credit for "
            r"security_control 'mfa' must be <= 1",
            id="control-credit-above-one",
        ),
        pytest.param(
            "relativities.csv",
            _replace_cell(10, "frequency_factor", "1.1"),
            r"relativities\.csv, row 10 \(line 11\), column 'frequency_factor': redundancy "
            r"factors must not rise",
            id="redundancy-raises-loss",
        ),
        pytest.param(
            "political_risk_rates.csv",
            _replace_cell(29, "frequency_per_contract_year", "0.0001"),
            r"political_risk_rates\.csv, row 29 \(line 30\), column "
            r"'frequency_per_contract_year': frequency of 'expropriation' falls from class 6",
            id="political-class-not-monotone",
        ),
        pytest.param(
            "relativities.csv",
            lambda lines: [x for x in lines if "drone_aerial" not in x],
            r"relativities\.csv: missing row for key \(line='tech_failure', "
            r"factor='system_type', level='drone_aerial'\)",
            id="vocabulary-row-missing",
        ),
        pytest.param(
            "severity_tail.csv",
            lambda lines: lines[:1],
            r"severity_tail\.csv: has no data rows",
            id="empty-table",
        ),
        pytest.param(
            "premium_tax.csv",
            _replace_cell(2, "country", "XX"),
            r"premium_tax\.csv, row 2 \(line 3\), column 'country': 'XX' is not in "
            r"countries\.csv",
            id="premium-tax-unknown-country",
        ),
        pytest.param(
            "premium_tax.csv",
            _replace_cell(2, "country", "gb"),
            r"premium_tax\.csv, row 2 \(line 3\), column 'country': 'gb' is not an ISO 3166-1",
            id="premium-tax-malformed-country",
        ),
        pytest.param(
            "premium_tax.csv",
            lambda lines: [*lines, lines[9]],
            r"premium_tax\.csv: rows \[9, 13\] repeat the key \(country='GB'\)",
            id="premium-tax-duplicate-key",
        ),
        pytest.param(
            "premium_tax.csv",
            _replace_cell(3, "premium_tax_rate", "-0.05"),
            r"premium_tax\.csv, row 3 \(line 4\), column 'premium_tax_rate': '-0\.05' must "
            r"be >= 0",
            id="premium-tax-negative-rate",
        ),
        pytest.param(
            "premium_tax.csv",
            _replace_cell(4, "premium_tax_rate", "1"),
            r"premium_tax\.csv, row 4 \(line 5\), column 'premium_tax_rate': '1' must be < 1",
            id="premium-tax-rate-of-one",
        ),
        pytest.param(
            "premium_tax.csv",
            _replace_cell(4, "premium_tax_rate", "12"),
            r"premium_tax\.csv, row 4 \(line 5\), column 'premium_tax_rate': '12' must be < 1",
            id="premium-tax-percent-not-fraction",
        ),
        pytest.param(
            "premium_tax.csv",
            _replace_cell(5, "basis", ""),
            r"premium_tax\.csv, row 5 \(line 6\), column 'basis': empty value",
            id="premium-tax-empty-basis",
        ),
    ],
)
def test_corruption_is_reported_with_file_row_and_column(
    tmp_path: Path, file: str, edit: Callable[[list[str]], list[str]], message: str
) -> None:
    with pytest.raises(RatingTableError, match=message):
        _load_corrupt(tmp_path, file, edit)


def test_nb_beta_rule_names_the_first_differing_row(tmp_path: Path) -> None:
    # tech_failure agency is row 1 only; edit the contractor pair of operational liability.
    with pytest.raises(RatingTableError, match=r"row 7 \(line 8\), column 'nb_beta'"):
        _load_corrupt(tmp_path, "frequency_base.csv", _replace_cell(7, "nb_beta", "0.9"))


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        pytest.param(
            lambda m: m["tables"]["fx"].pop("sources"),
            r"manifest\.yaml: table 'fx': missing field 'sources'",
            id="missing-sources",
        ),
        pytest.param(
            lambda m: m["tables"]["fx"]["sources"][0].update(status="verified"),
            r"manifest\.yaml: table 'fx': source 1 status 'verified' must be one of V, S, U",
            id="bad-status",
        ),
        pytest.param(
            lambda m: m["tables"]["fx"].update(illustrative="yes"),
            r"table 'fx': field 'illustrative' must be true or false",
            id="illustrative-not-bool",
        ),
        pytest.param(
            lambda m: m["tables"]["fx"]["columns"][1].update(type="money"),
            r"table 'fx': column 'rate_to_usd' has unknown type 'money'",
            id="unknown-type",
        ),
        pytest.param(
            lambda m: m["tables"].pop("countries"),
            r"table 'countries' is required",
            id="no-country-table",
        ),
        pytest.param(
            lambda m: m["tables"]["fx"].update(file="../elsewhere/fx.csv"),
            r"table 'fx': field 'file' must be the name of a \.csv file in the tables' directory",
            id="file-outside-the-directory",
        ),
        pytest.param(
            lambda m: m["tables"]["fx"].update(effective_date="end of 2024"),
            r"table 'fx': field 'effective_date' 'end of 2024' is not an ISO date",
            id="effective-date-not-a-date",
        ),
        pytest.param(
            lambda m: m["tables"]["severity_base"].update(currency="US$"),
            r"table 'severity_base': field 'currency' 'US\$' is not an active ISO 4217 code",
            id="table-currency-not-iso",
        ),
        pytest.param(
            lambda m: m["tables"]["fx"]["columns"][1].update(min="0"),
            r"table 'fx': column 'rate_to_usd': 'min' must be a number",
            id="bound-not-a-number",
        ),
        pytest.param(
            lambda m: m["tables"]["fx"]["columns"][1].update(maximum=10),
            r"table 'fx': column 'rate_to_usd': unknown field\(s\) 'maximum'",
            id="misspelt-bound",
        ),
        pytest.param(
            lambda m: m["tables"]["fx"]["columns"][1].update(min_exclusive="false"),
            r"table 'fx': column 'rate_to_usd': 'min_exclusive' must be true or false",
            id="flag-not-bool",
        ),
        pytest.param(
            lambda m: m["tables"]["premium_tax"]["columns"][1].update(max_exclusive=1),
            r"table 'premium_tax': column 'premium_tax_rate': 'max_exclusive' must be true or "
            r"false",
            id="max-exclusive-not-bool",
        ),
        pytest.param(
            # A string would be searched as text: 'cyber' in 'cyber_x' ... must be a list.
            lambda m: m["tables"]["severity_tail"]["columns"][0].update(allowed="cyber"),
            r"table 'severity_tail': column 'line': 'allowed' must be a non-empty list",
            id="allowed-not-a-list",
        ),
        pytest.param(
            lambda m: m["tables"]["relativities"]["columns"][0].update(allowed=[True, False]),
            r"column 'line': every 'allowed' value of a text column must be a string",
            id="allowed-yaml-booleans",
        ),
    ],
)
def test_bad_manifest(tmp_path: Path, mutate: Callable[[dict], object], message: str) -> None:
    directory = _copy(tmp_path)
    manifest = yaml.safe_load((directory / "manifest.yaml").read_text())
    mutate(manifest)
    (directory / "manifest.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XBorderRiskWarning)
        with pytest.raises(RatingTableError, match=message):
            RatingTables.load(directory)


def test_namibia_is_not_read_as_missing_in_a_user_copy(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    raw_default = pd.read_csv(directory / "countries.csv")
    # The trap the loader avoids: pandas' default reading turns Namibia's code into NaN.
    assert raw_default["code"].isna().sum() == 1
    tables = RatingTables.load(directory)
    assert "NA" in set(tables.countries["code"])
    assert not math.isnan(float(tables.country("NA")["oecd_crc"]))
