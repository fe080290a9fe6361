"""HTML pages: public site, reporter's case portal and back-office (no JavaScript needed)."""
