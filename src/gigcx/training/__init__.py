"""Training: courses of modules and quizzes per program, leading to certifications."""
