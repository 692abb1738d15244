"""credtrends: demand for micro-credentials, where it is and where it is heading."""

__version__ = "0.1.0"
