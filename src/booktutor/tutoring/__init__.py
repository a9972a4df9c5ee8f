"""Quizzes, grading, hints, mastery and study recommendations."""
