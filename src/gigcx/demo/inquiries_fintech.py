"""What Lumen Money's customers write, per category and language (slots as in ``inquiries``)."""

Inquiry = tuple[str, str]  # subject, body

FINTECH: dict[str, dict[str, tuple[Inquiry, ...]]] = {
    "app-login": {
        "en": (
            (
                "Can't log in on my new phone",
                "I got a new phone and now the app keeps asking for a verification code that "
                "never arrives by SMS. How do I move my account to the new device?",
            ),
            (
                "Account locked",
                "I typed my passcode wrong a few times and now my account is locked. I need to pay "
                "rent today — please help!",
            ),
        ),
        "de": (
            (
                "Anmeldung auf neuem Handy",
                "Ich habe ein neues Handy und bekomme den Bestätigungscode per SMS nicht. Wie "
                "ziehe ich mein Konto auf das neue Gerät um?",
            ),
        ),
        "es": (
            (
                "No puedo entrar en la app",
                "Cambié de móvil y la app me pide un código que nunca llega. ¿Cómo lo soluciono?",
            ),
        ),
        "fr": (
            (
                "Compte bloqué",
                "J'ai saisi mon code trop de fois et mon compte est bloqué. Comment le débloquer ?",
            ),
        ),
        "pt": (
            (
                "Não consigo entrar no app",
                "Troquei de celular e o código de verificação por SMS não chega. Como faço para "
                "acessar minha conta no aparelho novo?",
            ),
        ),
    },
    "card-payments": {
        "en": (
            (
                "Card declined at {merchant}",
                "My card ending {last4} was declined at {merchant} this morning even though I have "
                "enough balance. What's going on?",
            ),
            (
                "Pending payment not going away",
                "There's a pending payment of €{amount} from {merchant} for {days} days now. The "
                "merchant says they cancelled it. When will the money be back?",
            ),
        ),
        "de": (
            (
                "Karte bei {merchant} abgelehnt",
                "Meine Karte mit Endziffern {last4} wurde heute bei {merchant} abgelehnt, obwohl "
                "genug Guthaben da ist. Woran liegt das?",
            ),
        ),
        "es": (
            (
                "Tarjeta rechazada",
                "Mi tarjeta terminada en {last4} fue rechazada en {merchant}. Tengo saldo "
                "suficiente, ¿qué ha pasado?",
            ),
        ),
        "fr": (
            (
                "Paiement en attente",
                "Un paiement de {amount} € chez {merchant} est en attente depuis {days} jours "
                "alors que le commerçant l'a annulé. Quand serai-je remboursé ?",
            ),
        ),
        "pt": (
            (
                "Cartão recusado",
                "Meu cartão final {last4} foi recusado na {merchant}, mas tenho saldo. O que "
                "aconteceu?",
            ),
        ),
    },
    "transfers": {
        "en": (
            (
                "Transfer not arrived",
                "I sent €{amount} to my landlord {days} days ago and he still hasn't received it. "
                "The app says completed. Can you give me a transfer reference?",
            ),
            (
                "Top-up failed but money taken",
                "I tried to top up €{amount} with my bank card, the app said it failed, but the "
                "money left my bank account. Where is it?",
            ),
        ),
        "de": (
            (
                "Überweisung nicht angekommen",
                "Ich habe vor {days} Tagen {amount} € überwiesen, aber der Empfänger hat nichts "
                "bekommen. Können Sie das nachverfolgen?",
            ),
        ),
        "es": (
            (
                "Transferencia no recibida",
                "Envié {amount} € hace {days} días y no ha llegado. ¿Me dais una referencia?",
            ),
        ),
        "fr": (
            (
                "Virement non reçu",
                "J'ai envoyé {amount} € il y a {days} jours et le destinataire n'a rien reçu. "
                "Pouvez-vous vérifier ?",
            ),
        ),
        "pt": (
            (
                "Recarga falhou",
                "Tentei recarregar {amount} €, o app disse que falhou, mas o dinheiro saiu do meu "
                "banco. Onde está?",
            ),
        ),
    },
    "fees-plans": {
        "en": (
            (
                "Why was I charged a fee?",
                "I see a €{amount} fee for an ATM withdrawal. I thought {plan} included free "
                "withdrawals?",
            ),
            (
                "Downgrade my plan",
                "I'd like to switch from {plan} back to the free plan. Will I lose my cashback?",
            ),
        ),
        "de": (
            (
                "Gebühr unklar",
                "Warum wurde mir eine Gebühr von {amount} € berechnet? Ich dachte, {plan} ist "
                "gebührenfrei am Automaten.",
            ),
        ),
        "es": (
            (
                "Cambiar de plan",
                "Quiero pasar de {plan} al plan gratuito. ¿Pierdo algo si lo hago?",
            ),
        ),
        "fr": (
            (
                "Frais inexpliqués",
                "Pourquoi ai-je payé {amount} € de frais ? Je pensais que {plan} incluait les "
                "retraits gratuits.",
            ),
        ),
        "pt": (
            ("Mudar de plano", "Quero trocar o {plan} pelo plano gratuito. Perco algum benefício?"),
        ),
    },
    "identity-verification": {
        "en": (
            (
                "Verification keeps failing",
                "The app rejected my ID photo three times. My passport is valid. What am I doing "
                "wrong?",
            ),
        ),
        "de": (
            (
                "Verifizierung fehlgeschlagen",
                "Meine Ausweisfotos werden immer wieder abgelehnt. Was mache ich falsch?",
            ),
        ),
        "es": (
            (
                "Verificación rechazada",
                "La app rechaza la foto de mi DNI una y otra vez. ¿Qué hago?",
            ),
        ),
        "fr": (
            (
                "Vérification refusée",
                "Ma pièce d'identité est refusée à chaque fois. Que dois-je faire ?",
            ),
        ),
        "pt": (
            ("Verificação recusada", "O app recusa a foto do meu documento. O que devo fazer?"),
        ),
    },
    "fraud-report": {
        "en": (
            (
                "I didn't make these payments",
                "There are three payments to {merchant} I don't recognise, €{amount} in total. "
                "I still have my card. Please block it!",
            ),
        ),
        "de": (
            (
                "Unbekannte Abbuchungen",
                "Auf meinem Konto sind Zahlungen an {merchant}, die ich nicht gemacht habe. "
                "Bitte Karte sperren!",
            ),
        ),
        "es": (
            (
                "Cargos que no reconozco",
                "Veo pagos a {merchant} que no he hecho, {amount} € en total. ¡Bloqueadla!",
            ),
        ),
        "fr": (
            (
                "Paiements frauduleux",
                "Je ne reconnais pas des paiements chez {merchant}. Bloquez ma carte svp !",
            ),
        ),
        "pt": (
            (
                "Pagamentos que não fiz",
                "Há pagamentos na {merchant} que não reconheço. Bloqueiem o cartão, por favor!",
            ),
        ),
    },
    "invoicing": {
        "en": (
            (
                "Invoice missing VAT number",
                "Our monthly invoice {invoice} doesn't show our VAT number, so our accountant "
                "can't book it. Can you reissue it?",
            ),
            (
                "Receipt doesn't match transaction",
                "The receipt I uploaded for €{amount} at {merchant} got attached to the wrong "
                "transaction. How do I fix that?",
            ),
        ),
        "de": (
            (
                "Rechnung ohne USt-IdNr.",
                "Auf unserer Rechnung {invoice} fehlt die USt-IdNr. Können Sie sie neu ausstellen?",
            ),
        ),
        "fr": (
            (
                "Facture sans numéro de TVA",
                "Notre facture {invoice} n'indique pas notre numéro de TVA. Pouvez-vous la "
                "corriger ?",
            ),
        ),
    },
    "team-cards": {
        "en": (
            (
                "Raise spend limit for a team card",
                "One of our field technicians needs a higher monthly limit on card {last4} — "
                "€{amount} instead of the current one. Where do I change that?",
            ),
            (
                "New employee card",
                "We hired someone new on {weekday}. How do I order a team card for her and set "
                "a limit?",
            ),
        ),
        "de": (
            (
                "Limit für Teamkarte",
                "Wie erhöhe ich das Monatslimit der Teamkarte {last4} auf {amount} €?",
            ),
        ),
        "fr": (
            (
                "Carte pour un nouvel employé",
                "Comment commander une carte d'équipe pour un nouveau collaborateur ?",
            ),
        ),
    },
    "accounting-integrations": {
        "en": (
            (
                "{integration} sync stopped",
                "Since last week nothing syncs to {integration} anymore. We need the export for "
                "month-end closing on {weekday}.",
            ),
            (
                "Wrong account mapping",
                "Transactions land on the wrong ledger account in {integration}. Can you help me "
                "fix the mapping?",
            ),
        ),
        "de": (
            (
                "Export nach {integration} klappt nicht",
                "Seit einer Woche werden keine Buchungen mehr an {integration} übertragen. Wir "
                "brauchen den Export für den Monatsabschluss.",
            ),
        ),
        "fr": (
            (
                "Synchronisation {integration}",
                "La synchronisation avec {integration} ne fonctionne plus depuis une semaine.",
            ),
        ),
    },
    "business-verification": {
        "en": (
            (
                "Business verification documents",
                "You asked for our company registration extract again. We uploaded it last week — "
                "is something missing?",
            ),
        ),
        "de": (
            (
                "Handelsregisterauszug",
                "Wir haben den Handelsregisterauszug schon hochgeladen. Fehlt noch etwas?",
            ),
        ),
        "fr": (
            (
                "Vérification de l'entreprise",
                "Nous avons déjà envoyé notre extrait Kbis. Manque-t-il quelque chose ?",
            ),
        ),
    },
}
