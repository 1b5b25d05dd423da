"""Single sign-on for a brand's staff with the brand's OpenID Connect provider."""
