"""Expert compliance: agreements, country eligibility, identity checks and weekly hour caps."""
