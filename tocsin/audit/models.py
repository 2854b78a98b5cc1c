"""An append-only, hash-chained log of who did what.

Each entry's hash covers its own fields and the previous entry's hash, and
entries are numbered without gaps, so an edit, an insertion or a deletion
anywhere breaks the chain at that point. ``Head`` holds the newest sequence
number and hash: truncating the tail is caught by comparing against it.
Entries carry references and actions, never sensitive content."""

from django.conf import settings
from django.db import models


class Entry(models.Model):
    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField()
    # Indexed only where there is an actor (below): a report has none.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_index=False,
    )
    action = models.CharField(max_length=64)
    # A case reference or a username, so as long as the longest username.
    target = models.CharField(max_length=150, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        verbose_name_plural = "entries"
        indexes = [models.Index(fields=["actor"], condition=models.Q(actor__isnull=False),
                                name="entry_actor")]

    def __str__(self) -> str:
        return f"{self.seq} {self.action} {self.target}"


class Head(models.Model):
    """One row: the newest entry. Locked by every append, which serialises
    writers on PostgreSQL as SQLite's write lock already does."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"head at {self.seq}"
