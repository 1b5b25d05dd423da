"""The chat widget's words in each language GigCX writes (``views.i18n``'s languages).

Every language has the same ids as English (a test checks it); the widget is worded in the
visitor's browser language when GigCX has it, English otherwise.
"""

from typing import Any

from gigcx.views import i18n

EN = {
    "launcher": "Chat with us",
    "title": "Chat with {brand}",
    "close": "Close the chat",
    "intro": "Ask us anything: an expert answers you here.",
    "name": "Your name",
    "email": "Your email",
    "topic": "Topic",
    "topic_choose": "Choose a topic",
    "message": "Your message",
    "start": "Start the chat",
    "write": "Write a message",
    "send": "Send",
    "typing": "{name} is typing…",
    "seen": "Seen",
    "waiting": "We're finding an expert for you.",
    "answering": "An expert is answering you.",
    "offline": "Sorry, nobody can answer right now.",
    "email_me": "Email me the answer",
    "emailing": "We'll email you the answer at the address you gave; you may close this window.",
    "bot_question": "Did this answer your question?",
    "helped": "Yes, thanks",
    "didnt_help": "This didn't help",
    "closed": "This chat has ended.",
    "new_chat": "Start a new chat",
    "retry": "Not sent. Try again.",
    "mail_subject": "{brand} answered your chat",
    "mail_intro": "{brand} answered your chat:",
    "mail_link": "Read the whole conversation and answer here:",
}
ES = {
    "launcher": "Chatea con nosotros",
    "title": "Chat con {brand}",
    "close": "Cerrar el chat",
    "intro": "Pregúntanos lo que quieras: un experto te responde aquí.",
    "name": "Tu nombre",
    "email": "Tu correo electrónico",
    "topic": "Tema",
    "topic_choose": "Elige un tema",
    "message": "Tu mensaje",
    "start": "Empezar el chat",
    "write": "Escribe un mensaje",
    "send": "Enviar",
    "typing": "{name} está escribiendo…",
    "seen": "Visto",
    "waiting": "Estamos buscando un experto para ti.",
    "answering": "Un experto te está respondiendo.",
    "offline": "Lo sentimos, ahora mismo nadie puede responder.",
    "email_me": "Enviadme la respuesta por correo",
    "emailing": "Te enviaremos la respuesta a la dirección que diste; puedes cerrar esta ventana.",
    "bot_question": "¿Ha respondido esto a tu pregunta?",
    "helped": "Sí, gracias",
    "didnt_help": "Esto no me ayudó",
    "closed": "Este chat ha terminado.",
    "new_chat": "Empezar otro chat",
    "retry": "No se envió. Inténtalo de nuevo.",
    "mail_subject": "{brand} ha respondido a tu chat",
    "mail_intro": "{brand} ha respondido a tu chat:",
    "mail_link": "Lee toda la conversación y responde aquí:",
}
FR = {
    "launcher": "Discutez avec nous",
    "title": "Discussion avec {brand}",
    "close": "Fermer la discussion",
    "intro": "Posez-nous votre question : un expert vous répond ici.",
    "name": "Votre nom",
    "email": "Votre e-mail",
    "topic": "Sujet",
    "topic_choose": "Choisissez un sujet",
    "message": "Votre message",
    "start": "Commencer la discussion",
    "write": "Écrivez un message",
    "send": "Envoyer",
    "typing": "{name} écrit…",
    "seen": "Vu",
    "waiting": "Nous cherchons un expert pour vous.",
    "answering": "Un expert vous répond.",
    "offline": "Désolés, personne ne peut répondre pour le moment.",
    "email_me": "Recevoir la réponse par e-mail",
    "emailing": (
        "Nous vous enverrons la réponse à l'adresse donnée ; vous pouvez fermer cette fenêtre."
    ),
    "bot_question": "Cette réponse a-t-elle résolu votre question ?",
    "helped": "Oui, merci",
    "didnt_help": "Cela ne m'a pas aidé",
    "closed": "Cette discussion est terminée.",
    "new_chat": "Commencer une autre discussion",
    "retry": "Non envoyé. Réessayez.",
    "mail_subject": "{brand} a répondu à votre discussion",
    "mail_intro": "{brand} a répondu à votre discussion :",
    "mail_link": "Lisez toute la conversation et répondez ici :",
}
DE = {
    "launcher": "Chatten Sie mit uns",
    "title": "Chat mit {brand}",
    "close": "Chat schließen",
    "intro": "Fragen Sie uns: Eine Expertin oder ein Experte antwortet Ihnen hier.",
    "name": "Ihr Name",
    "email": "Ihre E-Mail-Adresse",
    "topic": "Thema",
    "topic_choose": "Thema wählen",
    "message": "Ihre Nachricht",
    "start": "Chat beginnen",
    "write": "Nachricht schreiben",
    "send": "Senden",
    "typing": "{name} schreibt…",
    "seen": "Gesehen",
    "waiting": "Wir suchen jemanden, der Ihnen hilft.",
    "answering": "Jemand aus unserem Team antwortet Ihnen.",
    "offline": "Leider kann gerade niemand antworten.",
    "email_me": "Antwort per E-Mail senden",
    "emailing": (
        "Wir senden die Antwort an Ihre E-Mail-Adresse; Sie können dieses Fenster schließen."
    ),
    "bot_question": "Hat diese Antwort Ihre Frage gelöst?",
    "helped": "Ja, danke",
    "didnt_help": "Das hat nicht geholfen",
    "closed": "Dieser Chat ist beendet.",
    "new_chat": "Neuen Chat beginnen",
    "retry": "Nicht gesendet. Bitte erneut versuchen.",
    "mail_subject": "{brand} hat auf Ihren Chat geantwortet",
    "mail_intro": "{brand} hat auf Ihren Chat geantwortet:",
    "mail_link": "Das ganze Gespräch lesen und hier antworten:",
}
PT = {
    "launcher": "Converse connosco",
    "title": "Conversa com {brand}",
    "close": "Fechar a conversa",
    "intro": "Pergunte-nos o que quiser: um especialista responde aqui.",
    "name": "O seu nome",
    "email": "O seu e-mail",
    "topic": "Assunto",
    "topic_choose": "Escolha um assunto",
    "message": "A sua mensagem",
    "start": "Começar a conversa",
    "write": "Escreva uma mensagem",
    "send": "Enviar",
    "typing": "{name} está a escrever…",
    "seen": "Visto",
    "waiting": "Estamos a procurar um especialista para si.",
    "answering": "Um especialista está a responder-lhe.",
    "offline": "Lamentamos, ninguém pode responder agora.",
    "email_me": "Enviem-me a resposta por e-mail",
    "emailing": "Enviaremos a resposta para o endereço que indicou; pode fechar esta janela.",
    "bot_question": "Esta resposta resolveu a sua questão?",
    "helped": "Sim, obrigado",
    "didnt_help": "Isto não ajudou",
    "closed": "Esta conversa terminou.",
    "new_chat": "Começar outra conversa",
    "retry": "Não enviada. Tente de novo.",
    "mail_subject": "{brand} respondeu à sua conversa",
    "mail_intro": "{brand} respondeu à sua conversa:",
    "mail_link": "Leia toda a conversa e responda aqui:",
}

WORDS: dict[str, dict[str, str]] = {"en": EN, "es": ES, "fr": FR, "de": DE, "pt": PT}


def widget_language(program_languages: list[str], requested: str, accept_language: str) -> str:
    """The language of a chat: of the program's languages, the browser's first choice."""
    return i18n.negotiate(program_languages, requested or None, accept_language or None)


def words(language: str) -> dict[str, str]:
    """Every widget string in ``language`` (English for what it lacks)."""
    table = WORDS.get(i18n.page_language(language), EN)
    return {key: table.get(key, text) for key, text in EN.items()}


def say(language: str, message_id: str, **values: Any) -> str:
    text = words(language)[message_id]
    return text.format(**values) if values else text
