"""Personal data: find it in text and mask it for the people who may not see it."""
