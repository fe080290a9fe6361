"""SQLAlchemy tables of the foundation: cases, evidence items, messages, staff, audit."""
