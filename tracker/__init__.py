"""Alliance tracker: a database of alliances recorded from open sources."""

__version__ = "0.1.0"
