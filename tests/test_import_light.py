"""Importing the lower layers stays light, and the package's public names still resolve.

Each check runs in a fresh interpreter: in this one, other tests have long since imported
everything.  The interpreter gets this checkout first on its path (as the test run does), so it
imports the code under test, not an installed copy.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# Heavy third-party packages and the higher layers: none may load with the engine.
HEAVY = ("pandas", "pydantic", "yaml", "matplotlib", "typer", "rich", "dask", "hypothesis")
HIGHER = (
    "xborder_risk.exact",
    "xborder_risk.exposure",
    "xborder_risk.rating",
    "xborder_risk.pricing",
    "xborder_risk.reserves",
    "xborder_risk.reinsurance",
    "xborder_risk.portfolio",
    "xborder_risk.quote",
    "xborder_risk.report",
    "xborder_risk.cli",
    "xborder_risk.testing",
)


def _run(code: str) -> object:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _loaded_after(statement: str) -> set[str]:
    code = (
        f"{statement}\n"
        "import json, sys\n"
        "print(json.dumps({'modules': sorted(sys.modules), 'file': xborder_risk.__file__}))\n"
    )
    result = _run(code)
    assert isinstance(result, dict)
    # the code under test, not an installed copy
    assert Path(str(result["file"])).resolve().parent == REPO / "xborder_risk"
    modules = result["modules"]
    assert isinstance(modules, list)
    return {str(name) for name in modules}


@pytest.mark.parametrize(
    "statement",
    [
        "import xborder_risk",
        "import xborder_risk.distributions",
        "import xborder_risk.engine",
        "from xborder_risk.engine import LossModel, simulate",
        "import xborder_risk.measures",
    ],
)
def test_low_layers_import_no_heavy_package_and_no_higher_layer(statement: str) -> None:
    loaded = _loaded_after(f"{statement}\nimport xborder_risk")
    heavy = sorted(name for name in loaded if name.split(".")[0] in HEAVY)
    higher = sorted(
        name for name in loaded if any(name == h or name.startswith(f"{h}.") for h in HIGHER)
    )
    assert not heavy, f"{statement!r} imports {heavy}"
    assert not higher, f"{statement!r} imports {higher}"


def test_the_engine_still_builds_frames_when_asked() -> None:
    # pandas moved inside the methods that build a frame; they still work from a light import
    result = _run(
        "import json, sys\n"
        "from xborder_risk.distributions import Gamma, Poisson\n"
        "from xborder_risk.engine import LossModel, simulate\n"
        "before = 'pandas' in sys.modules\n"
        "r = simulate([LossModel('a', Poisson(lam=2.0), Gamma(alpha=2.0, theta=1.0))], 1000, 1)\n"
        "frames = [r.to_frame(), r.summary(), r.ep_curve(return_periods=(10.0, 100.0))]\n"
        "print(json.dumps({'before': before, 'after': 'pandas' in sys.modules,\n"
        "                  'rows': [len(f) for f in frames]}))\n"
    )
    assert result == {"before": False, "after": True, "rows": [1000, 2, 2]}


def test_public_names_resolve_as_before() -> None:
    result = _run(
        "import json, sys, types\n"
        # the quote module first: loading a submodule binds it on the package, and the
        # package's `quote` must stay the function
        "import xborder_risk.quote\n"
        "import xborder_risk\n"
        "from xborder_risk import Quote, Submission, __version__, quote\n"
        "from xborder_risk import quote as again\n"
        "from xborder_risk import engine, measures\n"
        "module = sys.modules['xborder_risk.quote']\n"
        "print(json.dumps({\n"
        "    'quote': quote is module.quote and again is quote and xborder_risk.quote is quote,\n"
        "    'Quote': Quote is module.Quote,\n"
        "    'Submission': Submission.__module__,\n"
        "    'version': __version__,\n"
        "    'subpackages': [engine.__name__, measures.__name__, xborder_risk.rating.__name__],\n"
        "    'all': sorted(xborder_risk.__all__),\n"
        "    'dir': all(n in dir(xborder_risk) for n in xborder_risk.__all__),\n"
        "    'missing': hasattr(xborder_risk, 'no_such_name'),\n"
        "}))\n"
    )
    assert result == {
        "quote": True,
        "Quote": True,
        "Submission": "xborder_risk.exposure.submission",
        "version": _version_from_file(),
        "subpackages": ["xborder_risk.engine", "xborder_risk.measures", "xborder_risk.rating"],
        "all": ["Quote", "Submission", "__version__", "quote"],
        "dir": True,
        "missing": False,
    }


def test_public_names_resolve_when_the_package_is_imported_first() -> None:
    result = _run(
        "import json, sys\n"
        "from xborder_risk import quote\n"
        "import xborder_risk.quote\n"
        "import xborder_risk\n"
        "from xborder_risk import quote as again\n"
        "module = sys.modules['xborder_risk.quote']\n"
        "print(json.dumps([quote is module.quote, again is quote, xborder_risk.quote is quote]))\n"
    )
    assert result == [True, True, True]


def _version_from_file() -> str:
    namespace: dict[str, object] = {}
    exec((REPO / "xborder_risk" / "_version.py").read_text(), namespace)
    return str(namespace["__version__"])


def test_the_version_lives_in_one_place() -> None:
    # pyproject.toml reads the version from xborder_risk/_version.py (hatch's dynamic version)
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert "version" not in project["project"]
    assert project["project"]["dynamic"] == ["version"]
    assert project["tool"]["hatch"]["version"]["path"] == "xborder_risk/_version.py"
    version = _version_from_file()
    assert version.count(".") >= 2 and version.split(".")[0].isdigit()
