"""Outbound webhooks per the Standard Webhooks specification: signed, retried, guarded."""
