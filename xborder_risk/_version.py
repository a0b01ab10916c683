"""The library's version, in one place.

``pyproject.toml`` reads it (hatch's dynamic version), the package exports it as
``xborder_risk.__version__`` and a quote's provenance records it.  Importing this module costs
nothing: it imports nothing.
"""

__version__ = "0.2.0"
