from rempart.detect.classifier.normalize import normalize


def test_it_folds_case_and_accents():
    assert normalize("T'ÉS UNE Crétine") == "t'es une cretine"


def test_it_undoes_leetspeak_inside_words_but_keeps_numbers():
    assert normalize("c0nn4rd") == "connard"
    assert "06 12 34 56 78" in normalize("06 12 34 56 78")


def test_it_squeezes_repeated_letters():
    assert normalize("connaaaaaard") == "connard"


def test_it_expands_chat_spellings():
    assert normalize("ntm fdp") == "nique ta mere fils de pute"
    assert normalize("jvais te retrouver") == "je vais te retrouver"


def test_it_maps_meaningful_emojis_to_words():
    assert "couteau" in normalize("demain 🔪")
    assert "clown" in normalize("🤡")


def test_it_joins_spaced_out_letters():
    assert normalize("s.a.l.o.p.e") == "salope"


def test_it_survives_any_text():
    for text in ["", "\x00\x01", "👍" * 10000, "a" * 100000]:
        assert isinstance(normalize(text), str)


def test_it_keeps_class_names_and_ordinals():
    assert normalize("en 4e B, le 14e, 3eme, 2nde") == "en 4e b , le 14e , 3eme , 2nde"
    assert normalize("j3 v4is t3 tu3r") == "je vais te tuer"
