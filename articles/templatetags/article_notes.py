"""Splitting an article's public notes between its top and its foot."""

from django import template

from articles.notes import ArticleNote

register = template.Library()


@register.filter
def notes_at_top(notes):
    """Corrections and clarifications, oldest first (the prefetched notes, no query)."""
    return [note for note in notes if note.kind in ArticleNote.AT_TOP]


@register.filter
def notes_at_foot(notes):
    """Updates, oldest first."""
    return [note for note in notes if note.kind not in ArticleNote.AT_TOP]
