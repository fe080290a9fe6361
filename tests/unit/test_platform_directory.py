"""The organisation's platforms file extends and overrides the shipped directory."""

import pytest

from rempart.domain.takedowns import (
    InvalidTakedown,
    default_platforms_text,
    parse_organisation_platforms,
)


def test_an_organisation_file_overrides_the_fields_it_gives_and_adds_new_platforms():
    own = ("platforms:\n  - {name: instagram, dsa_email: flagger@meta.example,"
           " trusted_flagger: true}\n  - {name: Yubo, service_level_hours: 12}\n")
    directory = parse_organisation_platforms(default_platforms_text(), own)
    instagram = directory.get("Instagram")
    assert instagram.dsa_email == "flagger@meta.example" and instagram.trusted_flagger
    assert instagram.form_url and instagram.service_level_hours == 48  # kept from the shipped
    assert directory.get("Yubo").service_level_hours == 12
    assert "TikTok" in directory.names()


def test_replace_shipped_keeps_only_the_organisations_list_and_bad_entries_are_named():
    own = "replace_shipped: true\nplatforms:\n  - {name: Seule}\n"
    assert parse_organisation_platforms(default_platforms_text(), own).names() == ["Seule"]
    with pytest.raises(InvalidTakedown, match="TikTok: service_level_hours"):
        parse_organisation_platforms(default_platforms_text(),
                                     "platforms:\n  - {name: TikTok, service_level_hours: 0}\n")
    with pytest.raises(InvalidTakedown, match="non-empty"):
        parse_organisation_platforms(default_platforms_text(), "platforms: []\n")


def test_the_shipped_directory_gives_an_email_only_where_the_platform_publishes_one():
    from rempart.domain.takedowns import parse_platforms_text

    shipped = parse_platforms_text(default_platforms_text())
    assert {p.name: p.dsa_email for p in shipped.platforms if p.dsa_email} == {
        "Telegram": "abuse@telegram.org"}
    assert shipped.for_url("https://t.me/some_channel/12").name == "Telegram"
    assert all(p.form_url for p in shipped.platforms)
