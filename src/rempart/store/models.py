"""Imports every table module so that Base.metadata knows all tables (Alembic, tests).

Each capability keeps its tables in its own module under ``rempart.store``; add it here.
"""

from rempart.store import tables  # noqa: F401
