from gigcx.ai import checks, retrieval

DOCUMENTS = [
    "Returns and exchanges: return unused items within 60 days for a refund.",
    "Where is my order: orders ship within 2 business days with a tracking link.",
    "Warranty claims: two-year warranty, we repair or replace defective gear.",
]


def test_bm25_ranks_the_document_sharing_rare_words_first() -> None:
    scores = retrieval.BM25(DOCUMENTS).scores("tracking link for my order")

    assert scores.index(max(scores)) == 1
    assert scores[0] == 0.0


def test_hybrid_search_returns_the_top_documents_with_both_ranks() -> None:
    hits = retrieval.search("my tent pole snapped, can you fix it?", DOCUMENTS, top=2)

    assert len(hits) == 2
    assert hits[0].index == 2
    assert hits[0].embedding_rank == 1


def test_search_without_embeddings_uses_words_only() -> None:
    hits = retrieval.search("refund for a return", DOCUMENTS, use_embeddings=False)

    assert [(h.index, h.bm25_rank, h.embedding_rank) for h in hits] == [(0, 1, None)]


def test_a_clean_reply_passes_every_check() -> None:
    findings = checks.check_reply(
        "Thanks for writing! Your order ships tomorrow and you will get a tracking link.",
        customer_texts=["Where is my order? My email is ana@example.com"],
        customer_language="en",
        languages=["en"],
        forbidden_phrases=["calm down"],
    )

    assert findings == []


def test_checks_flag_leaks_forbidden_phrases_tone_and_language() -> None:
    customer = ["Where is my order? Write to ana@example.com"]

    leak = checks.check_reply(
        "I sent it to bob@example.com and to ana@example.com.",
        customer_texts=customer,
        customer_language="en",
        languages=["en"],
    )
    phrase = checks.check_reply(
        "Please calm down, it ships soon.",
        customer_texts=customer,
        customer_language="en",
        languages=["en"],
        forbidden_phrases=["Calm down"],
    )
    tone = checks.check_reply(
        "This is a stupid, terrible and awful complaint, I hate it.",
        customer_texts=customer,
        customer_language="en",
        languages=["en"],
    )
    other_language = checks.check_reply(
        "Ihre Bestellung wird morgen verschickt, vielen Dank für Ihre Geduld.",
        customer_texts=customer,
        customer_language="en",
        languages=["en"],
    )

    assert [f.check for f in leak] == [checks.PII_LEAK]
    assert [f.check for f in phrase] == [checks.FORBIDDEN_PHRASE]
    assert [f.check for f in tone] == [checks.NEGATIVE_TONE]
    assert [f.check for f in other_language] == [checks.LANGUAGE_MISMATCH, checks.TONE_NOT_CHECKED]
    assert other_language[1].message == (
        "the tone was not checked: there is no sentiment model for de"
    )
    assert other_language[1].is_notice is True
    assert other_language[0].message == "the reply is in de but the customer wrote in en"
