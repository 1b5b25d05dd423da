"""AI on tickets: triage stored on tickets, the bot, expert suggestions, best answers, royalties.

Built on the pure models of ``gigcx.ai`` and ``gigcx.privacy``; may use tickets and routing.
"""
