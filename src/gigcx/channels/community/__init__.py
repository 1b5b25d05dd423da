"""Notifications and community for experts: offer alerts, missed-offer digests, a program's
announcements and the experts' feedback to the brand."""
