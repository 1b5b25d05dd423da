"""What customers write, per category and language.

Slots filled per ticket: {order} {product} {amount} {days} {city} {merchant} {last4} {plan}
{integration} {invoice} {weekday}.
"""

from gigcx.demo.inquiries_fintech import FINTECH, Inquiry

OUTDOOR: dict[str, dict[str, tuple[Inquiry, ...]]] = {
    "order-status": {
        "en": (
            (
                "Where is my order {order}?",
                "Hi, I ordered the {product} {days} days ago (order {order}) and tracking hasn't "
                "moved since it left the warehouse. I'm leaving for a trip on {weekday} — will it "
                "arrive in time?",
            ),
            (
                "Tracking says delivered but nothing here",
                "The tracking for {order} says delivered yesterday but there's no parcel at my "
                "door or with my neighbours in {city}. Can you check with the carrier?",
            ),
            (
                "Change delivery address",
                "Hello, I just placed order {order} and realised it's going to my old address. Can "
                "you change it before it ships? The new one is in {city}.",
            ),
        ),
        "es": (
            (
                "¿Dónde está mi pedido {order}?",
                "Hola, hice el pedido {order} hace {days} días (la {product}) y el seguimiento no "
                "se ha actualizado. Me voy de excursión el {weekday}, ¿llegará a tiempo?",
            ),
        ),
        "fr": (
            (
                "Commande {order} toujours pas reçue",
                "Bonjour, j'ai commandé le {product} il y a {days} jours (commande {order}) et le "
                "suivi n'a pas bougé. Je pars en randonnée {weekday}, pouvez-vous m'aider ?",
            ),
        ),
    },
    "returns-exchanges": {
        "en": (
            (
                "Exchange for a bigger size",
                "The {product} I got is too small — can I exchange it for one size up? Order "
                "{order}, never worn outside, tags still on.",
            ),
            (
                "Return label please",
                "I'd like to return the {product} from order {order}. It's not what I expected. "
                "How do I get a return label and how long does the refund take?",
            ),
        ),
        "es": (
            (
                "Cambio de talla",
                "Hola, la {product} del pedido {order} me queda pequeña. ¿Puedo cambiarla por una "
                "talla más? Está sin usar y con etiquetas.",
            ),
        ),
        "fr": (
            (
                "Retour d'un article",
                "Bonjour, je souhaite retourner le {product} (commande {order}). Comment obtenir "
                "une étiquette de retour et sous quel délai serai-je remboursé ?",
            ),
        ),
    },
    "product-advice": {
        "en": (
            (
                "Which sleeping bag for the Rockies in October?",
                "I'm planning a 4-night trip near {city} in October with nights around freezing. "
                "Is the {product} warm enough, or should I go for something heavier? I sleep cold.",
            ),
            (
                "Boots sizing question",
                "I'm between sizes for the {product}. I usually wear 10.5 in running shoes and "
                "hike with thick wool socks. Which size do you recommend for long descents?",
            ),
            (
                "Tent for two plus a dog?",
                "Would the {product} fit two adults and a medium-sized dog, or do we need the "
                "three-person version? We mostly camp on windy ridges.",
            ),
        ),
        "es": (
            (
                "Consejo sobre equipo",
                "Hola, voy a hacer el Camino en primavera y dudo entre la {product} y un modelo "
                "más ligero. ¿Qué me recomiendan para 20 km al día?",
            ),
        ),
        "fr": (
            (
                "Conseil taille chaussures",
                "Bonjour, j'hésite entre deux pointures pour les {product}. Je randonne surtout "
                "dans les Alpes avec de grosses chaussettes. Que conseillez-vous ?",
            ),
        ),
    },
    "warranty-repairs": {
        "en": (
            (
                "Zipper broke after two trips",
                "The main zipper on my {product} split after only two trips. I bought it in "
                "{city} last spring. Is this covered by the warranty?",
            ),
            (
                "Pole section snapped",
                "One section of my {product} snapped while crossing a stream — no fall, just "
                "normal use. Can it be repaired or replaced? Order {order}.",
            ),
        ),
        "es": (
            (
                "Garantía: cremallera rota",
                "La cremallera de mi {product} se rompió tras dos salidas. ¿Lo cubre la garantía?",
            ),
        ),
        "fr": (
            (
                "Garantie : coutures décollées",
                "Les coutures de ma {product} se décollent après quelques sorties. Est-ce couvert "
                "par la garantie ? Commande {order}.",
            ),
        ),
    },
    "payment-disputes": {
        "en": (
            (
                "Charged twice for one order",
                "My card was charged twice (${amount} each) for order {order}. My bank suggests a "
                "chargeback, but I'd rather you refund the duplicate.",
            ),
        ),
        "es": (
            (
                "Cobro duplicado",
                "Me han cobrado dos veces {amount} $ por el pedido {order}. "
                "¿Pueden devolverme uno?",
            ),
        ),
        "fr": (
            (
                "Double prélèvement",
                "J'ai été débité deux fois de {amount} $ pour la commande {order}. Merci de "
                "rembourser le doublon.",
            ),
        ),
    },
}

INQUIRIES: dict[str, dict[str, tuple[Inquiry, ...]]] = {**OUTDOOR, **FINTECH}
