"""Training: onboarding courses and quizzes per program, certifications."""
