"""Signals other apps may listen to.

``organisations_imported`` is sent after each import batch commits. The
importer writes with plain SQL for speed, so Django's ``post_save`` does not
fire for its rows; an app that keeps a copy of the registry (screening's name
index) listens here instead. Arguments: ``created`` and ``updated``, counts.
"""

from django.dispatch import Signal

organisations_imported = Signal()
