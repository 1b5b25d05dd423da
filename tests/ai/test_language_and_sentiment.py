from gigcx.ai import language, sentiment, triage


def test_detects_the_language_among_the_programs_languages() -> None:
    assert language.detect("Ich habe meine Bestellung noch nicht erhalten", ["en", "de"]) == "de"
    assert language.detect("My parcel has not arrived yet, where is it?", ["en", "de"]) == "en"


def test_too_short_or_unserved_text_is_unknown() -> None:
    assert language.detect("hi", ["en", "de"]) == "unknown"
    assert language.detect("12345 ???", ["en"]) == "unknown"
    assert language.detect("Où est mon colis, il n'est pas encore arrivé", ["en"]) == "unknown"


def test_sentiment_scores_and_labels_english_text() -> None:
    angry = sentiment.analyse("This is terrible, I am furious and want my money back!", "en")
    happy = sentiment.analyse("Thanks a lot, great help", "en")

    assert (angry.label, angry.score) == ("negative", -0.7777)
    assert (happy.label, happy.score) == ("positive", 0.8658)


def test_sentiment_is_unknown_without_a_model_for_the_language() -> None:
    assert sentiment.analyse("Das ist furchtbar", "de") == sentiment.Sentiment(None, "unknown")


def test_triage_says_plainly_where_no_sentiment_model_reads_the_language() -> None:
    german = triage.triage(
        "Das ist furchtbar, meine Bestellung ist immer noch nicht angekommen!",
        languages=["en", "de"],
        intent_model=None,
    )
    english = triage.triage(
        "This is terrible, my order has still not arrived!",
        languages=["en", "de"],
        intent_model=None,
    )

    assert (german.language, german.sentiment.label) == ("de", "unknown")
    assert german.notes[0] == "no sentiment model for de: sentiment and tone are not read"
    assert (english.language, english.sentiment.label) == ("en", "negative")
    assert [n for n in english.notes if n.startswith("no sentiment model")] == []
    assert [code for code in ("en", "de", "es", "fr") if sentiment.is_available(code)] == ["en"]
