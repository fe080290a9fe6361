"""Imports every table module so that Base.metadata knows all tables (Alembic, tests).

Each capability keeps its tables in its own module under ``rempart.store``; add it here.
"""

from rempart.store import bank_tables  # noqa: F401, I001
from rempart.store import classifier_tables  # noqa: F401
from rempart.store import ledger_tables  # noqa: F401
from rempart.store import staff_tables  # noqa: F401
from rempart.store import session_tables  # noqa: F401
from rempart.store import tables  # noqa: F401
from rempart.store import vault_tables  # noqa: F401
from rempart.store import workbench_tables  # noqa: F401
from rempart.store import integrity_tables  # noqa: F401
from rempart.store import evidence_text_tables  # noqa: F401
from rempart.store import chronology_tables  # noqa: F401
from rempart.store import witness_tables  # noqa: F401
from rempart.store import capture_tables  # noqa: F401
