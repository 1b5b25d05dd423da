"""The email channel: mail in (IMAP, raw MIME, LMTP) and out (SMTP), threaded to tickets."""
