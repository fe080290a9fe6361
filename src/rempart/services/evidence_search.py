"""The words read from a case's evidence reach the back-office search (issue 14.1).

After the OCR job has read the screenshots and the other kinds of evidence (chats, e-mails,
saved pages), ``index_case`` puts their words, and the handles and links found in them, into
the case's keyed blind index (``rempart.security.blind_index``, under the case id with
``sealed.EVIDENCE_SUFFIX``): staff searching "kevin" or "@kevin_93" find the case whose
screenshot says it. Only keyed hashes are stored, never the words; the index goes with the case
when it is withdrawn.
"""

from __future__ import annotations

from rempart.media import ocr
from rempart.services import evidence_kinds, evidence_text
from rempart.services.app import App
from rempart.store.evidence_text_tables import derived


def index_case(app: App, case_id: str) -> int:
    """Index every text read from the case's evidence; how many terms (0 without text or
    without a keyring)."""
    texts = [text for _, text in evidence_text.classifier_messages(app, case_id)]
    texts += [text for _, text in evidence_kinds.classifier_messages(app, case_id)]
    joined = "\n".join(texts)
    found = ocr.suggest_facts(joined)
    with app.uow() as uow:
        terms = derived(uow).index_for_search(case_id, joined, found["handles"], found["urls"])
        uow.commit()
    return terms or 0
