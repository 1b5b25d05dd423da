"""Where GigCX meets the outside: mail, chat, webhooks, helpdesk connectors, notifications."""
