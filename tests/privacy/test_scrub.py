from gigcx.privacy import scrub


def removed(result: scrub.Scrubbed) -> list[tuple[str, str, str]]:
    return [(r.kind, r.shown, r.placeholder) for r in result.removals]


def test_the_customers_name_and_order_number_leave_an_english_reply() -> None:
    reply = "Hi Maria, your order #48213 left our warehouse today. Regards, Tom"

    result = scrub.scrub(reply, customer_names=["Maria Lopez"])

    assert result.text == (
        "Hi {{customer_name}}, your order [order number] left our warehouse today. Regards, [name]"
    )
    assert removed(result) == [
        ("customer_name", "Maria", "{{customer_name}}"),
        ("order number", "#48213", "[order number]"),
        ("name", "Tom", "[name]"),
    ]


def test_a_greeted_name_goes_even_when_the_customer_gave_none() -> None:
    reply = "Hola María López: tu pedido ORD-2024-0042 está en camino."

    result = scrub.scrub(reply)

    assert result.text == "Hola {{customer_name}}: tu pedido [order number] está en camino."
    assert removed(result) == [
        ("customer_name", "María López", "{{customer_name}}"),
        ("order number", "ORD-2024-0042", "[order number]"),
    ]


def test_contact_details_cards_and_ibans_are_shown_to_the_reviewer_masked() -> None:
    reply = (
        "Bonjour Madame Dupont, votre commande n° 7781 est remboursée sur la carte "
        "4111 1111 1111 1111 et l'IBAN DE89 3704 0044 0532 0130 00. Écrivez à "
        "claire.dupont@example.com ou au +33 6 12 34 56 78."
    )

    result = scrub.scrub(reply, customer_names=["Claire Dupont"])

    assert result.text == (
        "Bonjour Madame {{customer_name}}, votre commande n° [order number] est remboursée sur "
        "la carte [card] et l'IBAN [iban]. Écrivez à [email] ou au [phone]."
    )
    assert removed(result) == [
        ("customer_name", "Dupont", "{{customer_name}}"),
        ("order number", "7781", "[order number]"),
        ("card", "…1111", "[card]"),
        ("iban", "DE…3000", "[iban]"),
        ("email", "c…@example.com", "[email]"),
        ("phone", "…678", "[phone]"),
    ]


def test_account_and_tracking_numbers_go_in_german_and_english() -> None:
    german = scrub.scrub("Hallo Herr Schmidt, Ihre Bestellung Nr. A-99812 wurde versandt.")
    english = scrub.scrub("Dear Customer, your account number is 12345678; tracking 1Z999AA1012.")

    assert german.text == (
        "Hallo Herr {{customer_name}}, Ihre Bestellung Nr. [order number] wurde versandt."
    )
    assert english.text == (
        "Dear Customer, your account number is [order number]; tracking [order number]."
    )


def test_a_general_answer_is_left_as_it_is() -> None:
    answer = (
        "Thanks for reaching out! Orders ship within 2 business days. Standard delivery takes "
        "3-5 business days; returns are free within 60 days. Hi there, see you soon."
    )

    result = scrub.scrub(answer)

    assert (result.text, result.removals) == (answer, [])


def test_the_bot_fills_in_the_first_name_of_the_customer_it_answers() -> None:
    answer = "Hi {{customer_name}}, your parcel is on its way."

    assert scrub.fill_customer_name(answer, "Ana") == "Hi Ana, your parcel is on its way."
    assert scrub.fill_customer_name(answer, None) == "Hi, your parcel is on its way."
