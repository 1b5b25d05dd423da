"""The words of the customer's pages in each language they are written in.

One dict of message ids per language; every language has the same ids as English (a test checks
it). A page is shown in the best language GigCX has words for, English when it has none.
"""

from collections.abc import Callable, Iterable
from typing import Any

DEFAULT_LANGUAGE = "en"

# Each language's name as its speakers write it (the contact page's language choice).
LANGUAGE_NAMES = {
    "en": "English",
    "es": "Español",
    "fr": "Français",
    "de": "Deutsch",
    "pt": "Português",
}

EN = {
    "skip": "Skip to content",
    "contact.title": "{brand} support",
    "contact.intro": "Tell us what happened; a specialist answers you here.",
    "contact.read_in": "Read this page in",
    "contact.name": "Your name",
    "contact.email": "Your email",
    "contact.language": "Language",
    "contact.topic": "Topic",
    "contact.topic_optional": "Topic (optional)",
    "contact.topic_unsure": "Not sure: we will work it out from your message",
    "contact.topic_choose": "Choose a topic",
    "contact.message": "Your message",
    "contact.send": "Send",
    "error.name": "Write your name in at most 120 characters, or leave it empty.",
    "error.email": "Enter the email address we can reach you at, such as name@example.com.",
    "error.language": "Choose a language from the list.",
    "error.category": "Choose the topic closest to your question.",
    "error.body": "Write your message: what happened, and what you would like us to do.",
    "page.title": "Your conversation with {brand}",
    "page.private": "Keep this page's address: it is your private link.",
    "page.received": "We have your message. Your conversation shows here in a moment.",
    "page.conversation": "Conversation",
    "page.status": "Status",
    "author.you": "You",
    "author.support": "{brand} support",
    "author.bot": "{brand} automatic answer",
    "status.new": "We have your message and are reading it",
    "status.waiting_for_expert": "We're looking for the right person to help you",
    "status.assigned": "An expert is writing to you",
    "status.waiting_on_customer": "Waiting for your reply",
    "status.escalated": "Our support team is looking into it",
    "status.bot_answered": "We sent you an answer: tell us whether it solved your question",
    "status.resolved": "Solved",
    "status.closed": "Solved and closed",
    "status.canceled": "Closed",
    "bot.question": "Did this answer help?",
    "bot.yes": "Yes, this solved it",
    "bot.no": "This didn't help: talk to a person",
    "reply.label": "Reply",
    "reply.send": "Send reply",
    "reply.empty": "Write your message first.",
    "reply.closed": "This conversation is closed. To ask something new, write to us again.",
    "rate.heading": "How did we do?",
    "rate.score": "Your rating",
    "rate.poor": "poor",
    "rate.excellent": "excellent",
    "rate.reason": "The main reason (optional)",
    "rate.no_reason": "No reason in particular",
    "rate.comment": "Anything else? (optional)",
    "rate.send": "Send rating",
    "rate.thanks": "Thank you: you rated this conversation {score} out of 5.",
    "rate.score_missing": "Choose a rating from 1 (poor) to 5 (excellent).",
    "rate.reason_unknown": "Choose a reason from the list, or leave it empty.",
    "rate.comment_long": "Keep your comment under 2,000 characters.",
    "reason.helpful": "The answer helped",
    "reason.fast": "It was fast",
    "reason.friendly": "Friendly",
    "reason.slow": "Too slow",
    "reason.unhelpful": "It did not help",
    "reason.rude": "Unfriendly",
    "reason.wrong_answer": "The answer was wrong",
    "reason.policy": "I dislike the company's policy",
    "reason.product": "A problem with the product",
    "reason.shipping": "Delivery or shipping",
    "reason.other": "Something else",
}

ES = {
    "skip": "Ir al contenido",
    "contact.title": "Atención al cliente de {brand}",
    "contact.intro": "Cuéntanos qué ha pasado; un especialista te responde aquí.",
    "contact.read_in": "Leer esta página en",
    "contact.name": "Tu nombre",
    "contact.email": "Tu correo electrónico",
    "contact.language": "Idioma",
    "contact.topic": "Tema",
    "contact.topic_optional": "Tema (opcional)",
    "contact.topic_unsure": "No estoy seguro: lo deduciremos de tu mensaje",
    "contact.topic_choose": "Elige un tema",
    "contact.message": "Tu mensaje",
    "contact.send": "Enviar",
    "error.name": "Escribe tu nombre en 120 caracteres como máximo, o déjalo vacío.",
    "error.email": "Escribe el correo en el que podemos contactarte, como nombre@example.com.",
    "error.language": "Elige un idioma de la lista.",
    "error.category": "Elige el tema más cercano a tu pregunta.",
    "error.body": "Escribe tu mensaje: qué ha pasado y qué te gustaría que hiciéramos.",
    "page.title": "Tu conversación con {brand}",
    "page.private": "Guarda la dirección de esta página: es tu enlace privado.",
    "page.received": "Hemos recibido tu mensaje. Tu conversación aparecerá aquí en un momento.",
    "page.conversation": "Conversación",
    "page.status": "Estado",
    "author.you": "Tú",
    "author.support": "Atención al cliente de {brand}",
    "author.bot": "Respuesta automática de {brand}",
    "status.new": "Hemos recibido tu mensaje y lo estamos leyendo",
    "status.waiting_for_expert": "Estamos buscando a la persona adecuada para ayudarte",
    "status.assigned": "Un experto te está escribiendo",
    "status.waiting_on_customer": "Esperando tu respuesta",
    "status.escalated": "Nuestro equipo de atención al cliente lo está revisando",
    "status.bot_answered": "Te hemos enviado una respuesta: dinos si ha resuelto tu pregunta",
    "status.resolved": "Resuelto",
    "status.closed": "Resuelto y cerrado",
    "status.canceled": "Cerrado",
    "bot.question": "¿Te ha ayudado esta respuesta?",
    "bot.yes": "Sí, esto lo ha resuelto",
    "bot.no": "No me ha ayudado: hablar con una persona",
    "reply.label": "Respuesta",
    "reply.send": "Enviar respuesta",
    "reply.empty": "Escribe primero tu mensaje.",
    "reply.closed": (
        "Esta conversación está cerrada. Para preguntar algo nuevo, escríbenos de nuevo."
    ),
    "rate.heading": "¿Qué tal lo hemos hecho?",
    "rate.score": "Tu valoración",
    "rate.poor": "mala",
    "rate.excellent": "excelente",
    "rate.reason": "El motivo principal (opcional)",
    "rate.no_reason": "Ningún motivo en particular",
    "rate.comment": "¿Algo más? (opcional)",
    "rate.send": "Enviar valoración",
    "rate.thanks": "Gracias: has valorado esta conversación con {score} de 5.",
    "rate.score_missing": "Elige una valoración de 1 (mala) a 5 (excelente).",
    "rate.reason_unknown": "Elige un motivo de la lista o déjalo vacío.",
    "rate.comment_long": "Tu comentario debe tener menos de 2000 caracteres.",
    "reason.helpful": "La respuesta me ayudó",
    "reason.fast": "Fue rápido",
    "reason.friendly": "Amable",
    "reason.slow": "Demasiado lento",
    "reason.unhelpful": "No me ayudó",
    "reason.rude": "Poco amable",
    "reason.wrong_answer": "La respuesta era incorrecta",
    "reason.policy": "No me gusta la política de la empresa",
    "reason.product": "Un problema con el producto",
    "reason.shipping": "Entrega o envío",
    "reason.other": "Otra cosa",
}

FR = {
    "skip": "Aller au contenu",
    "contact.title": "Service client {brand}",
    "contact.intro": "Dites-nous ce qui s'est passé ; un spécialiste vous répond ici.",
    "contact.read_in": "Lire cette page en",
    "contact.name": "Votre nom",
    "contact.email": "Votre e-mail",
    "contact.language": "Langue",
    "contact.topic": "Sujet",
    "contact.topic_optional": "Sujet (facultatif)",
    "contact.topic_unsure": "Je ne sais pas : nous le déduirons de votre message",
    "contact.topic_choose": "Choisissez un sujet",
    "contact.message": "Votre message",
    "contact.send": "Envoyer",
    "error.name": "Écrivez votre nom en 120 caractères au plus, ou laissez-le vide.",
    "error.email": "Indiquez l'adresse e-mail où vous joindre, par exemple nom@example.com.",
    "error.language": "Choisissez une langue dans la liste.",
    "error.category": "Choisissez le sujet le plus proche de votre question.",
    "error.body": "Écrivez votre message : ce qui s'est passé et ce que vous attendez de nous.",
    "page.title": "Votre conversation avec {brand}",
    "page.private": "Gardez l'adresse de cette page : c'est votre lien privé.",
    "page.received": "Nous avons reçu votre message. La conversation s'affiche ici sous peu.",
    "page.conversation": "Conversation",
    "page.status": "Statut",
    "author.you": "Vous",
    "author.support": "Service client {brand}",
    "author.bot": "Réponse automatique de {brand}",
    "status.new": "Nous avons reçu votre message et le lisons",
    "status.waiting_for_expert": "Nous cherchons la bonne personne pour vous aider",
    "status.assigned": "Un expert vous écrit",
    "status.waiting_on_customer": "En attente de votre réponse",
    "status.escalated": "Notre équipe du service client s'en occupe",
    "status.bot_answered": "Nous vous avons répondu : dites-nous si cela a résolu votre question",
    "status.resolved": "Résolu",
    "status.closed": "Résolu et clos",
    "status.canceled": "Clos",
    "bot.question": "Cette réponse vous a-t-elle aidé ?",
    "bot.yes": "Oui, c'est résolu",
    "bot.no": "Cela ne m'a pas aidé : parler à une personne",
    "reply.label": "Réponse",
    "reply.send": "Envoyer la réponse",
    "reply.empty": "Écrivez d'abord votre message.",
    "reply.closed": (
        "Cette conversation est close. Pour une nouvelle question, écrivez-nous à nouveau."
    ),
    "rate.heading": "Comment avons-nous fait ?",
    "rate.score": "Votre note",
    "rate.poor": "mauvais",
    "rate.excellent": "excellent",
    "rate.reason": "La raison principale (facultatif)",
    "rate.no_reason": "Aucune raison en particulier",
    "rate.comment": "Autre chose ? (facultatif)",
    "rate.send": "Envoyer la note",
    "rate.thanks": "Merci : vous avez noté cette conversation {score} sur 5.",
    "rate.score_missing": "Choisissez une note de 1 (mauvais) à 5 (excellent).",
    "rate.reason_unknown": "Choisissez une raison dans la liste, ou laissez vide.",
    "rate.comment_long": "Votre commentaire doit faire moins de 2000 caractères.",
    "reason.helpful": "La réponse m'a aidé",
    "reason.fast": "C'était rapide",
    "reason.friendly": "Aimable",
    "reason.slow": "Trop lent",
    "reason.unhelpful": "Cela ne m'a pas aidé",
    "reason.rude": "Peu aimable",
    "reason.wrong_answer": "La réponse était fausse",
    "reason.policy": "Je n'aime pas la politique de l'entreprise",
    "reason.product": "Un problème avec le produit",
    "reason.shipping": "Livraison ou expédition",
    "reason.other": "Autre chose",
}

DE = {
    "skip": "Zum Inhalt springen",
    "contact.title": "{brand} Kundenservice",
    "contact.intro": "Erzählen Sie uns, was passiert ist; eine Fachperson antwortet Ihnen hier.",
    "contact.read_in": "Diese Seite lesen auf",
    "contact.name": "Ihr Name",
    "contact.email": "Ihre E-Mail-Adresse",
    "contact.language": "Sprache",
    "contact.topic": "Thema",
    "contact.topic_optional": "Thema (optional)",
    "contact.topic_unsure": "Nicht sicher: Wir erkennen es an Ihrer Nachricht",
    "contact.topic_choose": "Wählen Sie ein Thema",
    "contact.message": "Ihre Nachricht",
    "contact.send": "Senden",
    "error.name": "Schreiben Sie Ihren Namen in höchstens 120 Zeichen, oder lassen Sie ihn leer.",
    "error.email": (
        "Geben Sie die E-Mail-Adresse an, unter der wir Sie erreichen, z. B. name@example.com."
    ),
    "error.language": "Wählen Sie eine Sprache aus der Liste.",
    "error.category": "Wählen Sie das Thema, das Ihrer Frage am nächsten kommt.",
    "error.body": "Schreiben Sie Ihre Nachricht: was passiert ist und was wir tun sollen.",
    "page.title": "Ihr Gespräch mit {brand}",
    "page.private": "Bewahren Sie die Adresse dieser Seite auf: Es ist Ihr privater Link.",
    "page.received": "Wir haben Ihre Nachricht erhalten. Ihr Gespräch erscheint hier gleich.",
    "page.conversation": "Gespräch",
    "page.status": "Stand",
    "author.you": "Sie",
    "author.support": "{brand} Kundenservice",
    "author.bot": "Automatische Antwort von {brand}",
    "status.new": "Wir haben Ihre Nachricht erhalten und lesen sie",
    "status.waiting_for_expert": "Wir suchen die richtige Person, die Ihnen hilft",
    "status.assigned": "Eine Expertin oder ein Experte schreibt Ihnen",
    "status.waiting_on_customer": "Wir warten auf Ihre Antwort",
    "status.escalated": "Unser Kundenservice-Team kümmert sich darum",
    "status.bot_answered": "Wir haben Ihnen geantwortet: Sagen Sie uns, ob Ihre Frage gelöst ist",
    "status.resolved": "Gelöst",
    "status.closed": "Gelöst und abgeschlossen",
    "status.canceled": "Abgeschlossen",
    "bot.question": "Hat Ihnen diese Antwort geholfen?",
    "bot.yes": "Ja, das hat es gelöst",
    "bot.no": "Das hat nicht geholfen: mit einem Menschen sprechen",
    "reply.label": "Antwort",
    "reply.send": "Antwort senden",
    "reply.empty": "Schreiben Sie zuerst Ihre Nachricht.",
    "reply.closed": (
        "Dieses Gespräch ist abgeschlossen. Für eine neue Frage schreiben Sie uns erneut."
    ),
    "rate.heading": "Wie waren wir?",
    "rate.score": "Ihre Bewertung",
    "rate.poor": "schlecht",
    "rate.excellent": "ausgezeichnet",
    "rate.reason": "Der Hauptgrund (optional)",
    "rate.no_reason": "Kein bestimmter Grund",
    "rate.comment": "Sonst noch etwas? (optional)",
    "rate.send": "Bewertung senden",
    "rate.thanks": "Danke: Sie haben dieses Gespräch mit {score} von 5 bewertet.",
    "rate.score_missing": "Wählen Sie eine Bewertung von 1 (schlecht) bis 5 (ausgezeichnet).",
    "rate.reason_unknown": "Wählen Sie einen Grund aus der Liste, oder lassen Sie das Feld leer.",
    "rate.comment_long": "Ihr Kommentar darf höchstens 2000 Zeichen lang sein.",
    "reason.helpful": "Die Antwort hat geholfen",
    "reason.fast": "Es ging schnell",
    "reason.friendly": "Freundlich",
    "reason.slow": "Zu langsam",
    "reason.unhelpful": "Es hat nicht geholfen",
    "reason.rude": "Unfreundlich",
    "reason.wrong_answer": "Die Antwort war falsch",
    "reason.policy": "Mir gefallen die Regeln des Unternehmens nicht",
    "reason.product": "Ein Problem mit dem Produkt",
    "reason.shipping": "Lieferung oder Versand",
    "reason.other": "Etwas anderes",
}

PT = {
    "skip": "Ir para o conteúdo",
    "contact.title": "Apoio ao cliente {brand}",
    "contact.intro": "Conte-nos o que aconteceu; um especialista responde-lhe aqui.",
    "contact.read_in": "Ler esta página em",
    "contact.name": "O seu nome",
    "contact.email": "O seu e-mail",
    "contact.language": "Idioma",
    "contact.topic": "Assunto",
    "contact.topic_optional": "Assunto (opcional)",
    "contact.topic_unsure": "Não tenho a certeza: vamos percebê-lo pela sua mensagem",
    "contact.topic_choose": "Escolha um assunto",
    "contact.message": "A sua mensagem",
    "contact.send": "Enviar",
    "error.name": "Escreva o seu nome com 120 caracteres no máximo, ou deixe-o vazio.",
    "error.email": "Indique o e-mail onde o podemos contactar, como nome@example.com.",
    "error.language": "Escolha um idioma da lista.",
    "error.category": "Escolha o assunto mais próximo da sua pergunta.",
    "error.body": "Escreva a sua mensagem: o que aconteceu e o que gostaria que fizéssemos.",
    "page.title": "A sua conversa com {brand}",
    "page.private": "Guarde o endereço desta página: é o seu link privado.",
    "page.received": "Recebemos a sua mensagem. A sua conversa aparece aqui dentro de instantes.",
    "page.conversation": "Conversa",
    "page.status": "Estado",
    "author.you": "Você",
    "author.support": "Apoio ao cliente {brand}",
    "author.bot": "Resposta automática de {brand}",
    "status.new": "Recebemos a sua mensagem e estamos a lê-la",
    "status.waiting_for_expert": "Estamos à procura da pessoa certa para o ajudar",
    "status.assigned": "Um especialista está a escrever-lhe",
    "status.waiting_on_customer": "À espera da sua resposta",
    "status.escalated": "A nossa equipa de apoio está a tratar do assunto",
    "status.bot_answered": "Enviámos-lhe uma resposta: diga-nos se resolveu a sua questão",
    "status.resolved": "Resolvido",
    "status.closed": "Resolvido e encerrado",
    "status.canceled": "Encerrado",
    "bot.question": "Esta resposta ajudou?",
    "bot.yes": "Sim, isto resolveu",
    "bot.no": "Não ajudou: falar com uma pessoa",
    "reply.label": "Resposta",
    "reply.send": "Enviar resposta",
    "reply.empty": "Escreva primeiro a sua mensagem.",
    "reply.closed": "Esta conversa está encerrada. Para perguntar algo novo, escreva-nos de novo.",
    "rate.heading": "Como nos saímos?",
    "rate.score": "A sua avaliação",
    "rate.poor": "má",
    "rate.excellent": "excelente",
    "rate.reason": "O motivo principal (opcional)",
    "rate.no_reason": "Nenhum motivo em particular",
    "rate.comment": "Mais alguma coisa? (opcional)",
    "rate.send": "Enviar avaliação",
    "rate.thanks": "Obrigado: avaliou esta conversa com {score} em 5.",
    "rate.score_missing": "Escolha uma avaliação de 1 (má) a 5 (excelente).",
    "rate.reason_unknown": "Escolha um motivo da lista, ou deixe vazio.",
    "rate.comment_long": "O seu comentário deve ter menos de 2000 caracteres.",
    "reason.helpful": "A resposta ajudou",
    "reason.fast": "Foi rápido",
    "reason.friendly": "Simpático",
    "reason.slow": "Demasiado lento",
    "reason.unhelpful": "Não ajudou",
    "reason.rude": "Antipático",
    "reason.wrong_answer": "A resposta estava errada",
    "reason.policy": "Não gosto da política da empresa",
    "reason.product": "Um problema com o produto",
    "reason.shipping": "Entrega ou envio",
    "reason.other": "Outra coisa",
}

MESSAGES: dict[str, dict[str, str]] = {"en": EN, "es": ES, "fr": FR, "de": DE, "pt": PT}
LANGUAGES = tuple(MESSAGES)

Words = Callable[..., str]


def base_language(code: str) -> str:
    """The language part of a code: ``pt-BR`` and ``pt_br`` are ``pt``."""
    return code.strip().lower().replace("_", "-").split("-")[0]


def page_language(code: str) -> str:
    """The language a page for ``code`` is written in: itself when GigCX has its words, else
    English."""
    base = base_language(code)
    return base if base in MESSAGES else DEFAULT_LANGUAGE


def words(language: str) -> Words:
    """The words of one language: ``t("rate.thanks", score=5)``; English for an id it lacks."""
    table = MESSAGES[page_language(language)]

    def t(message_id: str, **values: Any) -> str:
        text = table.get(message_id) or EN[message_id]
        return text.format(**values) if values else text

    return t


def _accepted(header: str) -> list[str]:
    """The languages of an Accept-Language header, most wanted first (q=0 means never)."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        if tag and tag != "*" and weight > 0:
            ranked.append((-weight, position, tag.strip()))
    return [tag for _, _, tag in sorted(ranked)]


def _match(wanted: str, offered: Iterable[str]) -> str | None:
    offered = list(offered)
    for code in offered:
        if code.lower().replace("_", "-") == wanted.lower().replace("_", "-"):
            return code
    for code in offered:
        if base_language(code) == base_language(wanted):
            return code
    return None


def negotiate(offered: list[str], requested: str | None, accept_language: str | None) -> str:
    """Of the ``offered`` languages (a program's, first is its main one), the one a visitor
    asked for (``?lang=``), else the best of their browser's Accept-Language, else the first."""
    for wanted in [requested or "", *_accepted(accept_language or "")]:
        found = _match(wanted, offered) if wanted else None
        if found is not None:
            return found
    return offered[0] if offered else DEFAULT_LANGUAGE


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(base_language(code), code.upper())
