"""Helpdesk connectors: a brand's Zendesk (and later others) synced with GigCX both ways."""
