from django.db import models


class BaselineRow(models.Model):
    """One request body, stored as is: the baseline's single INSERT."""

    received_at = models.DateTimeField()
    body = models.BinaryField()

    def __str__(self) -> str:
        return f"baseline row {self.pk}"
