"""Text intelligence on the CPU: language, sentiment, intent, retrieval, triage, reply checks.

Pure inference and text functions; nothing here knows tickets or programs.
"""
