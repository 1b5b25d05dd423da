"""Names, places and phrases for the demo: experts, customers, products and replies."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Country:
    code: str
    timezones: tuple[str, ...]
    languages: tuple[str, ...]  # spoken natively, first is the main one
    names: str  # key into FIRST_NAMES / LAST_NAMES
    weight: int  # share of demo experts


def _names(text: str) -> tuple[str, ...]:
    return tuple(text.split(", "))


COUNTRIES: tuple[Country, ...] = (
    Country(
        "US",
        ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"),
        ("en",),
        "en",
        10,
    ),
    Country("GB", ("Europe/London",), ("en",), "en", 5),
    Country("IE", ("Europe/Dublin",), ("en",), "en", 2),
    Country("CA", ("America/Toronto", "America/Vancouver"), ("en",), "en", 3),
    Country("CA", ("America/Toronto",), ("fr", "en"), "fr", 2),
    Country("AU", ("Australia/Sydney", "Australia/Perth"), ("en",), "en", 3),
    Country("NZ", ("Pacific/Auckland",), ("en",), "en", 1),
    Country("PH", ("Asia/Manila",), ("en",), "ph", 4),
    Country("IN", ("Asia/Kolkata",), ("en",), "in", 3),
    Country("ZA", ("Africa/Johannesburg",), ("en",), "za", 2),
    Country("KE", ("Africa/Nairobi",), ("en",), "ke", 2),
    Country("DE", ("Europe/Berlin",), ("de",), "de", 10),
    Country("AT", ("Europe/Vienna",), ("de",), "de", 2),
    Country("CH", ("Europe/Zurich",), ("de", "fr"), "de", 2),
    Country("FR", ("Europe/Paris",), ("fr",), "fr", 8),
    Country("BE", ("Europe/Brussels",), ("fr",), "fr", 2),
    Country("ES", ("Europe/Madrid",), ("es",), "es", 6),
    Country("MX", ("America/Mexico_City",), ("es",), "es", 4),
    Country("AR", ("America/Argentina/Buenos_Aires",), ("es",), "es", 2),
    Country("CO", ("America/Bogota",), ("es",), "es", 2),
    Country("PT", ("Europe/Lisbon",), ("pt",), "pt", 4),
    Country("BR", ("America/Sao_Paulo", "America/Recife"), ("pt",), "pt", 5),
    Country("NL", ("Europe/Amsterdam",), ("nl", "de"), "nl", 2),
    Country("PL", ("Europe/Warsaw",), ("pl",), "pl", 2),
)

FIRST_NAMES: dict[str, tuple[str, ...]] = {
    "en": _names(
        "Olivia, Liam, Emma, Noah, Ava, Ethan, Chloe, Mason, Grace, Lucas, Harper, Owen, "
        "Megan, Caleb, Zoe, Ryan, Hannah, Tyler, Aisha, Jordan"
    ),
    "ph": _names("Maricel, Jomar, Kristine, Paolo, Angelica, Rhea, Mark Anthony, Joy, Carlo, Bea"),
    "in": _names("Priya, Arjun, Ananya, Rohan, Kavya, Vikram, Neha, Aditya, Isha, Karan"),
    "za": _names("Thandiwe, Sipho, Lerato, Pieter, Naledi, Ruan, Zanele, Kagiso"),
    "ke": _names("Wanjiku, Otieno, Akinyi, Kamau, Njeri, Mwangi, Achieng, Kiprop"),
    "de": _names(
        "Lena, Jonas, Mia, Felix, Laura, Lukas, Hannah, Tobias, Lea, Niklas, Johanna, Moritz, "
        "Clara, Florian"
    ),
    "fr": _names(
        "Camille, Hugo, Léa, Louis, Chloé, Gabriel, Manon, Arthur, Inès, Théo, Juliette, Mathis"
    ),
    "es": _names(
        "Lucía, Mateo, Sofía, Diego, Valentina, Pablo, Camila, Alejandro, Martina, Javier, "
        "Daniela, Andrés"
    ),
    "pt": _names(
        "Beatriz, João, Mariana, Pedro, Ana Clara, Rafael, Larissa, Thiago, Inês, Gonçalo, "
        "Juliana, Tiago"
    ),
    "nl": _names("Sanne, Daan, Fleur, Bram, Lotte, Jesse"),
    "pl": _names("Zofia, Jakub, Julia, Kacper, Maja, Szymon"),
}

LAST_NAMES: dict[str, tuple[str, ...]] = {
    "en": _names(
        "Smith, Johnson, Brown, Walker, Okafor, Murphy, Nguyen, Patel, Clarke, Bennett, "
        "Hughes, Reyes, Campbell, Foster, O'Neill, Kowalski, Harris, Robinson"
    ),
    "ph": _names("Santos, Reyes, Cruz, Bautista, Garcia, Mendoza, Villanueva, Dela Cruz"),
    "in": _names("Sharma, Iyer, Reddy, Nair, Gupta, Menon, Kapoor, Das"),
    "za": _names("Dlamini, Naidoo, van der Merwe, Mokoena, Botha, Nkosi"),
    "ke": _names("Mwangi, Odhiambo, Kariuki, Wambui, Chebet, Njoroge"),
    "de": _names(
        "Müller, Schmidt, Schneider, Fischer, Weber, Wagner, Becker, Hoffmann, Schulz, Koch, "
        "Richter, Wolf"
    ),
    "fr": _names(
        "Martin, Bernard, Dubois, Thomas, Robert, Petit, Durand, Leroy, Moreau, Lefèvre, "
        "Girard, Fontaine"
    ),
    "es": _names(
        "García, Fernández, López, Martínez, Sánchez, Pérez, Gómez, Ruiz, Hernández, Díaz, "
        "Morales, Castillo"
    ),
    "pt": _names(
        "Silva, Santos, Oliveira, Souza, Costa, Ferreira, Almeida, Pereira, Rodrigues, "
        "Carvalho, Lima, Martins"
    ),
    "nl": _names("de Vries, Jansen, Bakker, Visser, Smit, Meijer"),
    "pl": _names("Nowak, Wiśniewska, Wójcik, Kamiński, Lewandowska, Zieliński"),
}

# Customers write in the ticket's language; their names come from these lists.
CUSTOMER_NAMES_BY_LANGUAGE = {"en": "en", "de": "de", "fr": "fr", "es": "es", "pt": "pt"}
CUSTOMER_EMAIL_DOMAINS = ("example.com", "example.net", "example.org")

PRODUCTS: dict[str, tuple[str, ...]] = {
    "outdoor": (
        "Ridgeline 2 tent",
        "Kestrel 28L daypack",
        "Tundra -10°C down sleeping bag",
        "Summit Pro hardshell jacket",
        "Alpine Trek GTX boots",
        "Glacier carbon trekking poles",
        "Cascade squeeze water filter",
        "Basecamp twin-burner stove",
        "Nimbus insulated sleeping pad",
        "Talus climbing harness",
    ),
    "fintech": (
        "Lumen Plus",
        "Lumen Premium",
        "Lumen Metal",
    ),
}

MERCHANTS = (
    "Deutsche Bahn",
    "Ryanair",
    "Lidl",
    "Uber",
    "Zalando",
    "Spotify",
    "Booking.com",
    "IKEA",
    "MediaMarkt",
    "Vinted",
    "Carrefour",
    "El Corte Inglés",
)
CITIES = (
    "Denver",
    "Portland",
    "Boulder",
    "Seattle",
    "Salt Lake City",
    "Bend",
    "Asheville",
    "Chamonix",
    "Barcelona",
    "Lyon",
    "Montréal",
    "Madrid",
)
INTEGRATIONS = ("DATEV", "Xero", "QuickBooks", "lexoffice", "sevDesk", "Pennylane")

# Expert replies: {name} is the customer's first name, {expert} the expert's first name.
FIRST_REPLIES: dict[str, tuple[str, ...]] = {
    "en": (
        "Hi {name}, thanks for reaching out! I'm {expert} and I'll help you with this. "
        "Let me take a look right away.",
        "Hello {name}, {expert} here. Sorry for the trouble — I've pulled up your details and "
        "I'm checking what happened now.",
        "Hi {name}! Thanks for the detailed message, that helps a lot. Give me a moment to "
        "look into it.",
    ),
    "de": (
        "Hallo {name}, danke für Ihre Nachricht! Ich bin {expert} und kümmere mich darum. "
        "Ich schaue mir das gleich an.",
        "Guten Tag {name}, hier ist {expert}. Das tut mir leid, ich prüfe das sofort für Sie.",
    ),
    "fr": (
        "Bonjour {name}, merci pour votre message ! Je suis {expert} et je m'occupe de votre "
        "demande tout de suite.",
        "Bonjour {name}, ici {expert}. Désolé(e) pour ce souci, je vérifie cela immédiatement.",
    ),
    "es": (
        "¡Hola {name}! Gracias por escribirnos. Soy {expert} y te ayudo con esto ahora mismo.",
        "Hola {name}, soy {expert}. Siento las molestias, ya estoy revisando tu caso.",
    ),
    "pt": (
        "Olá {name}! Obrigado pela mensagem. Sou {expert} e vou ajudar você com isso agora.",
        "Oi {name}, aqui é {expert}. Sinto muito pelo transtorno, já estou verificando.",
    ),
}

QUESTIONS: dict[str, tuple[str, ...]] = {
    "en": (
        "Could you send me a photo or screenshot of what you're seeing? Then I can sort it out.",
        "Can you confirm the email address you used and roughly when this happened?",
    ),
    "de": ("Könnten Sie mir bitte einen Screenshot oder ein Foto schicken?",),
    "fr": ("Pourriez-vous m'envoyer une capture d'écran ou une photo, s'il vous plaît ?",),
    "es": ("¿Podrías enviarme una captura de pantalla o una foto de lo que ves?",),
    "pt": ("Você pode me enviar uma captura de tela ou uma foto do que está vendo?",),
}

SOLUTIONS: dict[str, tuple[str, ...]] = {
    "en": (
        "Good news: it's sorted. I've {fix}. You should see the change within the next hour. "
        "Anything else I can help with?",
        "All done — I've {fix}. You'll get a confirmation email shortly. Have a great day!",
        "Thanks for your patience. I've {fix}, so you're all set. Let me know if anything "
        "still looks off.",
    ),
    "de": (
        "Erledigt! Ich habe das für Sie geklärt; Sie erhalten gleich eine Bestätigung per "
        "E-Mail. Kann ich sonst noch helfen?",
    ),
    "fr": (
        "C'est réglé ! Vous allez recevoir une confirmation par e-mail. Puis-je vous aider "
        "pour autre chose ?",
    ),
    "es": (
        "¡Listo! Ya lo he solucionado y recibirás un correo de confirmación en breve. "
        "¿Te puedo ayudar en algo más?",
    ),
    "pt": (
        "Pronto! Já resolvi e você vai receber um e-mail de confirmação em breve. Posso "
        "ajudar em mais alguma coisa?",
    ),
}

FIXES: dict[str, tuple[str, ...]] = {
    "order-status": (
        "asked the carrier to re-route the parcel and updated your tracking link",
        "confirmed the new delivery date with the warehouse",
    ),
    "returns-exchanges": (
        "emailed you a prepaid return label",
        "set up the exchange for the other size and reserved it for you",
    ),
    "product-advice": (
        "put together a short comparison and linked the sizing chart",
        "noted which model fits your trip best in the summary below",
    ),
    "warranty-repairs": (
        "opened a warranty claim and booked the repair",
        "approved a replacement under warranty",
    ),
    "app-login": (
        "reset your sign-in so you can register your new phone",
        "unlocked your account after the failed attempts",
    ),
    "card-payments": (
        "checked the decline reason and lifted the temporary block",
        "confirmed the pending payment will drop off automatically",
    ),
    "transfers": (
        "traced the transfer and shared the reference with you",
        "confirmed the top-up landed and refreshed your balance",
    ),
    "fees-plans": (
        "explained the fee and switched your plan from next month",
        "refunded the duplicate monthly fee",
    ),
    "invoicing": (
        "regenerated the invoice with your VAT number",
        "matched the receipt to the right card transaction",
    ),
    "team-cards": (
        "raised the spend limit on the team card",
        "issued the new team card and sent the activation link",
    ),
    "accounting-integrations": (
        "reconnected the integration and re-synced last month",
        "fixed the account mapping so exports line up again",
    ),
}

CUSTOMER_FOLLOW_UPS: dict[str, tuple[str, ...]] = {
    "en": (
        "Sure, here's the screenshot. It happened yesterday evening.",
        "Thanks! I used the same email as my account. Photo attached.",
        "Here you go — let me know if you need anything else from me.",
    ),
    "de": ("Hier ist der Screenshot. Das war gestern Abend.", "Danke, Foto ist im Anhang."),
    "fr": ("Voici la capture d'écran. C'était hier soir.", "Merci, la photo est en pièce jointe."),
    "es": ("Aquí tienes la captura. Pasó ayer por la tarde.", "Gracias, te adjunto la foto."),
    "pt": ("Segue a captura de tela. Aconteceu ontem à noite.", "Obrigado, a foto está em anexo."),
}

AGENT_REPLIES: dict[str, str] = {
    "en": "Hi {name}, this is {agent} from the {brand} team. I've taken over your request and "
    "completed the review — everything is resolved on our side. Thank you for your patience.",
    "de": "Hallo {name}, hier ist {agent} vom {brand}-Team. Ich habe Ihr Anliegen übernommen "
    "und geprüft: Alles ist erledigt. Vielen Dank für Ihre Geduld.",
    "fr": "Bonjour {name}, ici {agent} de l'équipe {brand}. J'ai repris votre demande et tout "
    "est réglé de notre côté. Merci de votre patience.",
    "es": "Hola {name}, soy {agent} del equipo de {brand}. He revisado tu solicitud y ya está "
    "resuelta. Gracias por tu paciencia.",
    "pt": "Olá {name}, aqui é {agent} da equipe {brand}. Revisei sua solicitação e está tudo "
    "resolvido. Obrigado pela paciência.",
}

ESCALATION_REASONS: dict[str, tuple[str, ...]] = {
    "outdoor": (
        "Customer asks for a refund above the expert limit ($150); needs a team decision.",
        "Possible product safety issue (stove leaking gas); handing to the in-house team.",
        "Order shows delivered but customer reports a stolen parcel; needs a carrier claim.",
    ),
    "fintech": (
        "Customer mentions a possible account takeover; needs account access I do not have.",
        "Request to change the legal name on the account; requires identity documents.",
        "Chargeback dispute over €500; outside what experts may decide.",
    ),
}

RATING_COMMENTS: dict[int, tuple[str, ...]] = {
    5: (
        "Super quick and friendly, thank you!",
        "Exactly the answer I needed.",
        "Really knew the product. Great help.",
        "",
    ),
    4: ("Good help, took a little while.", "Solved, thanks.", ""),
    3: ("Okay, but I had to explain twice.", "Fine, though the policy itself is annoying.", ""),
    2: ("Slow and I still had to chase it.", "Didn't really answer my question.", ""),
    1: ("Not helpful at all.", "Still not fixed.", ""),
}
