"""Search of the back-office: case code, author handle, link, words of the description.

One function, ``search_cases``: today it reads the case columns in clear; when the text is
encrypted at rest, only its inside changes (blind indexes of the normalised words), never its
callers (the queue page, the JSON API, the command line).
"""

from __future__ import annotations

from rempart.domain.staff import Permission
from rempart.services.errors import StaffError
from rempart.services.staff import StaffMember, require_permission
from rempart.store.staff_desk import desk
from rempart.store.uow import UnitOfWork

MAX_QUERY_CHARS = 200
MAX_WORDS = 8
MIN_WORD_CHARS = 2
MAX_RESULTS = 1000


def query_words(query: str) -> list[str]:
    """The words searched for: lower case, a leading "@" dropped, duplicates and one-letter
    words left out; a StaffError if the query is too long."""
    if len(query) > MAX_QUERY_CHARS:
        raise StaffError(f"a search holds at most {MAX_QUERY_CHARS} characters")
    words = []
    for word in query.lower().split():
        word = word.strip().lstrip("@")
        if len(word) >= MIN_WORD_CHARS and word not in words:
            words.append(word)
    return words[:MAX_WORDS]


def search_cases(uow: UnitOfWork, staff: StaffMember, query: str) -> list[str]:
    """Ids of the cases that hold every word of ``query`` (most urgent first, at most
    MAX_RESULTS). An empty query finds nothing."""
    words = query_words(query)
    with uow:
        require_permission(uow, staff, Permission.VIEW_QUEUE)
        if not words:
            return []
        return desk(uow).search(words, MAX_RESULTS)
