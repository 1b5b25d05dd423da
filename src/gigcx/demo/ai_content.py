"""Hand-written retail content for the demo's AI: labelled customer messages, approved answers
and knowledge articles of Alpenglow's gear-help program, so triage, the bot and suggestions
work from the first page on any machine."""

from dataclasses import dataclass
from decimal import Decimal

PROGRAM_SLUG = "gear-help"
BOT_THRESHOLD = 0.6
ROYALTY = Decimal("0.25")

EXAMPLES: dict[str, tuple[str, ...]] = {
    "order-status": (
        "Where is my order? I ordered a tent last week and it still hasn't shipped.",
        "Can you tell me when my package will arrive?",
        "My tracking number has not updated in four days, is my parcel lost?",
        "I haven't received a shipping confirmation for order 48213 yet.",
        "When will my hiking boots be delivered? The estimate said Tuesday.",
        "The courier says delivered but there is nothing at my door.",
        "Has my order been dispatched yet? I need the sleeping bag by Friday.",
        "How long does standard shipping take to Colorado?",
        "Is it possible to track my delivery? I can't find the link.",
        "My order status still says processing after a week, what is going on?",
    ),
    "returns-exchanges": (
        "I'd like to return the jacket I bought, it's too small.",
        "How do I exchange my boots for a bigger size?",
        "Can I send back a backpack I haven't used? I changed my mind.",
        "What is your return policy for sale items?",
        "I want a refund for the stove, I returned it two weeks ago.",
        "Please send me a return label for my order.",
        "The trousers don't fit, can I swap them for a medium?",
        "How long do I have to return an item after delivery?",
        "I returned the tent but haven't got my money back yet.",
        "Can I exchange the blue rain jacket for the red one?",
    ),
    "product-advice": (
        "Which sleeping bag would you recommend for camping at minus five degrees?",
        "Are the Ridgeline boots good for wide feet?",
        "What size harness should I get, I'm 180 cm and 75 kg?",
        "Is the Summit 40 backpack big enough for a three day hike?",
        "Which tent is lighter, the Trailhead 2 or the Ridge 2?",
        "Can I use this stove at high altitude?",
        "Do your rain jackets work for cycling as well as hiking?",
        "What's the difference between the down and the synthetic jacket?",
        "Which trekking poles are best for steep descents?",
        "Will the climbing shoes stretch after a few sessions?",
    ),
    "warranty-repairs": (
        "The zipper on my jacket broke after two months, is that covered by warranty?",
        "My tent pole snapped on the first trip, can you repair it?",
        "The sole of my boots is coming off, how do I make a warranty claim?",
        "A seam on my backpack ripped, do you offer repairs?",
        "The buckle on my harness cracked, I'd like a replacement under warranty.",
        "How long is the warranty on your sleeping bags?",
        "My headlamp stopped working after a month, can I get it fixed?",
        "The waterproof coating on my jacket is peeling off.",
        "Do you repair gear that is out of warranty?",
        "The stove's valve is leaking, is this a warranty case?",
    ),
    "payment-disputes": (
        "I was charged twice for the same order, please refund the duplicate.",
        "There is a payment on my card from you that I don't recognise.",
        "I want to dispute a charge, I never received the goods.",
        "My bank says you took money after I cancelled the order.",
        "I opened a chargeback because my refund never arrived.",
        "Why was my card charged a different amount than the order total?",
        "Someone used my card to order from your shop, this is fraud.",
        "I paid but the order was cancelled and the money is gone.",
    ),
}


@dataclass(frozen=True)
class AnswerSpec:
    intent: str
    title: str
    body: str
    is_article: bool = False


# The demo's answers are written in English: the bot answers English-speaking customers only
# and leaves the others to experts who speak their language.
ANSWER_LANGUAGE = "en"
ANSWERS: tuple[AnswerSpec, ...] = (
    AnswerSpec(
        "order-status",
        "Where is my order?",
        "Thanks for reaching out! Orders ship within 2 business days and you get an email with "
        "a tracking link as soon as your parcel leaves our warehouse. Standard delivery takes "
        "3-5 business days after that. If your tracking has not moved for more than 5 business "
        "days, reply to this message and we will open an investigation with the courier.",
    ),
    AnswerSpec(
        "returns-exchanges",
        "Returns and exchanges",
        "You can return or exchange unused items within 60 days of delivery. Start from "
        "'My orders' on our website and choose 'Return or exchange': we email you a free return "
        "label. Refunds reach your original payment method within 5 business days after the "
        "return arrives; exchanges ship as soon as we scan your parcel.",
    ),
    AnswerSpec(
        "warranty-repairs",
        "Warranty claims",
        "All our gear has a 2-year warranty against defects in materials and workmanship. "
        "Send us a photo of the damage and your order number, and we will repair or replace "
        "the item free of charge. Out-of-warranty repairs are available at cost.",
    ),
    AnswerSpec(
        "product-advice",
        "Choosing a sleeping bag",
        "Pick a bag rated about 5 degrees below the coldest night you expect. The comfort rating "
        "suits most sleepers; the limit rating is for warm sleepers only. Down packs smaller, "
        "synthetic stays warm when damp.",
        is_article=True,
    ),
    AnswerSpec(
        "returns-exchanges",
        "Sizing boots and exchanges",
        "Our boots run true to size; for wide feet choose the W fit. Exchanges for another size "
        "are free within 60 days, even after an indoor try-on.",
        is_article=True,
    ),
)
