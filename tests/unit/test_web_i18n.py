"""Catalogs: every domain merged, French default, English complete, language choice."""

from __future__ import annotations

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from rempart.web import i18n


def test_it_prefers_the_query_then_the_cookie_then_french():
    assert i18n.pick_language("en", "fr") == "en"
    assert i18n.pick_language(None, "en") == "en"
    assert i18n.pick_language("de", "xx") == "fr"
    assert i18n.pick_language(None, None) == "fr"
    assert i18n.pick_language(None, None, "en") == "en"
    assert i18n.pick_language(None, None, "de") == "fr"


def test_it_translates_in_the_current_language():
    i18n.compile_catalogs()
    token = i18n.set_language("fr")
    try:
        assert i18n.gettext("Quick exit") == "Quitter rapidement"
    finally:
        i18n.reset_language(token)
    token = i18n.set_language("en")
    try:
        assert i18n.gettext("Quick exit") == "Quick exit"
    finally:
        i18n.reset_language(token)


def test_every_message_has_a_french_and_an_english_translation():
    for language in i18n.LANGUAGES:
        path = i18n.LOCALES_DIR / language / "LC_MESSAGES" / "messages.po"
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=language)
        missing = [m.id for m in catalog if m.id and not m.string]
        assert missing == [], f"{language}: {missing[:5]}"


def test_it_merges_other_domains(tmp_path, monkeypatch):
    folder = tmp_path / "fr" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    from babel.messages.catalog import Catalog

    for domain, pairs in {"messages": {"Quick exit": "Quitter rapidement"},
                          "guidance": {"Your rights": "Vos droits",
                                       "Quick exit": "ignored, messages wins"}}.items():
        catalog = Catalog(locale="fr", domain=domain)
        for source, target in pairs.items():
            catalog.add(source, target)
        with (folder / f"{domain}.mo").open("wb") as fh:
            write_mo(fh, catalog)
    monkeypatch.setattr(i18n, "LOCALES_DIR", tmp_path)
    i18n.translations.cache_clear()
    try:
        merged = i18n.translations("fr")
        assert merged.gettext("Your rights") == "Vos droits"
        assert merged.gettext("Quick exit") == "Quitter rapidement"
    finally:
        i18n.translations.cache_clear()


def test_every_domain_of_a_language_declares_the_same_plural_rule():
    """The merged catalog uses one plural rule: a domain with another one would lose plurals."""
    from babel.messages.pofile import read_po

    from rempart.web.i18n import LOCALES_DIR

    for folder in LOCALES_DIR.iterdir():
        rules = set()
        for po in folder.glob("LC_MESSAGES/*.po"):
            with po.open("rb") as fh:
                rules.add((po.name, read_po(fh).plural_expr))
        assert len({rule for _, rule in rules}) == 1, (folder.name, sorted(rules))
