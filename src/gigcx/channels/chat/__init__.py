"""Live chat: a widget on the brand's site, a conversation live both ways, email when offline."""
