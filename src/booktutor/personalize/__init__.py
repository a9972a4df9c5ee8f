"""Personalized chapters: learner profiles, offline adaptation, checked LLM rewrites, caching."""
