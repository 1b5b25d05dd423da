"""The words of the mail GigCX sends customers, in each language the customer's pages speak.

Every language has the same ids as English (a test checks it); ``views.i18n`` decides which
language a ticket's customer reads, and its words (status, authors) are reused where they fit.
"""

from typing import Any

from gigcx.views import i18n

EN = {
    "subject.fallback": "Your request to {brand}",
    "greeting.named": "Hello {name},",
    "greeting": "Hello,",
    "ack.body": (
        "Thank you for writing to {brand}. We have your message and a specialist will answer "
        "you by mail as soon as possible."
    ),
    "ack.link": "You can follow the conversation, answer and see its status on your private page:",
    "reply.wrote": "{author} wrote:",
    "reply.answer": "Answer by replying to this mail, or on your private page:",
    "reply.bot": "Did this answer help? Tell us on your private page:",
    "reply.files": "Attached files: {names}",
    "rating.body": "We have marked your request as solved. How did we do?",
    "rating.link": "Rate the conversation from 1 (poor) to 5 (excellent) on your private page:",
    "rating.reopen": "Not solved after all? Just reply to this mail and we will pick it up again.",
    "private": "This link is for you only: do not forward this mail.",
}

ES = {
    "subject.fallback": "Tu consulta a {brand}",
    "greeting.named": "Hola, {name}:",
    "greeting": "Hola:",
    "ack.body": (
        "Gracias por escribir a {brand}. Hemos recibido tu mensaje y un especialista te "
        "responderá por correo lo antes posible."
    ),
    "ack.link": "Puedes seguir la conversación, responder y ver su estado en tu página privada:",
    "reply.wrote": "{author} escribió:",
    "reply.answer": "Responde a este correo o hazlo en tu página privada:",
    "reply.bot": "¿Te ha ayudado esta respuesta? Dínoslo en tu página privada:",
    "reply.files": "Archivos adjuntos: {names}",
    "rating.body": "Hemos marcado tu consulta como resuelta. ¿Qué tal lo hicimos?",
    "rating.link": "Valora la conversación de 1 (mal) a 5 (excelente) en tu página privada:",
    "rating.reopen": "¿No está resuelto? Responde a este correo y lo retomamos.",
    "private": "Este enlace es solo para ti: no reenvíes este correo.",
}

FR = {
    "subject.fallback": "Votre demande à {brand}",
    "greeting.named": "Bonjour {name},",
    "greeting": "Bonjour,",
    "ack.body": (
        "Merci d'avoir écrit à {brand}. Nous avons bien reçu votre message et un spécialiste "
        "vous répondra par e-mail dès que possible."
    ),
    "ack.link": (
        "Vous pouvez suivre la conversation, répondre et voir son état sur votre page privée :"
    ),
    "reply.wrote": "{author} a écrit :",
    "reply.answer": "Répondez à cet e-mail ou sur votre page privée :",
    "reply.bot": "Cette réponse vous a-t-elle aidé ? Dites-le-nous sur votre page privée :",
    "reply.files": "Pièces jointes : {names}",
    "rating.body": "Nous avons marqué votre demande comme résolue. Comment avons-nous fait ?",
    "rating.link": "Notez la conversation de 1 (mauvais) à 5 (excellent) sur votre page privée :",
    "rating.reopen": "Ce n'est pas résolu ? Répondez simplement à cet e-mail et nous reprenons.",
    "private": "Ce lien est pour vous seul : ne transférez pas cet e-mail.",
}

DE = {
    "subject.fallback": "Ihre Anfrage an {brand}",
    "greeting.named": "Hallo {name},",
    "greeting": "Hallo,",
    "ack.body": (
        "Danke für Ihre Nachricht an {brand}. Sie ist bei uns angekommen, und eine Fachperson "
        "antwortet Ihnen so bald wie möglich per E-Mail."
    ),
    "ack.link": (
        "Auf Ihrer privaten Seite können Sie das Gespräch verfolgen, antworten und den Stand sehen:"
    ),
    "reply.wrote": "{author} schreibt:",
    "reply.answer": "Antworten Sie auf diese E-Mail oder auf Ihrer privaten Seite:",
    "reply.bot": "Hat Ihnen diese Antwort geholfen? Sagen Sie es uns auf Ihrer privaten Seite:",
    "reply.files": "Angehängte Dateien: {names}",
    "rating.body": "Wir haben Ihre Anfrage als gelöst markiert. Wie zufrieden sind Sie?",
    "rating.link": (
        "Bewerten Sie das Gespräch von 1 (schlecht) bis 5 (ausgezeichnet) auf Ihrer privaten Seite:"
    ),
    "rating.reopen": (
        "Doch nicht gelöst? Antworten Sie einfach auf diese E-Mail, dann kümmern wir uns weiter."
    ),
    "private": "Dieser Link ist nur für Sie: Bitte leiten Sie diese E-Mail nicht weiter.",
}

PT = {
    "subject.fallback": "O seu pedido à {brand}",
    "greeting.named": "Olá {name},",
    "greeting": "Olá,",
    "ack.body": (
        "Obrigado por escrever à {brand}. Recebemos a sua mensagem e um especialista vai "
        "responder-lhe por e-mail o mais depressa possível."
    ),
    "ack.link": "Pode acompanhar a conversa, responder e ver o estado na sua página privada:",
    "reply.wrote": "{author} escreveu:",
    "reply.answer": "Responda a este e-mail ou na sua página privada:",
    "reply.bot": "Esta resposta ajudou? Diga-nos na sua página privada:",
    "reply.files": "Ficheiros anexados: {names}",
    "rating.body": "Marcámos o seu pedido como resolvido. Como correu?",
    "rating.link": "Avalie a conversa de 1 (mau) a 5 (excelente) na sua página privada:",
    "rating.reopen": "Afinal não ficou resolvido? Responda a este e-mail e retomamos o assunto.",
    "private": "Esta ligação é só para si: não reencaminhe este e-mail.",
}

MESSAGES: dict[str, dict[str, str]] = {"en": EN, "es": ES, "fr": FR, "de": DE, "pt": PT}


def mail_words(language: str) -> i18n.Words:
    """The mail words of one language (the customer pages' choice), English for a missing id."""
    table = MESSAGES.get(i18n.page_language(language), EN)

    def t(message_id: str, **values: Any) -> str:
        text = table.get(message_id) or EN[message_id]
        return text.format(**values) if values else text

    return t
