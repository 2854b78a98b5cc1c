"""The case: an incident report (a HURIDOCS-style event) and what responders do with it.

What a seized database may show is only triage metadata, in plain columns:
act types, dates, country, perpetrator type, company, counts, status. All the
rest (narrative, contact, organisation, locality, names, files) is inside
``sealed_content`` or an evidence file, encrypted under the case's own key.
That key is stored only sealed: once per reader (``CaseKey``) and once to a
key pair derived from the reporter's receipt."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tocsin.accounts.models import Team


class ActType(models.TextChoices):
    RAID = "raid", _("Raid")
    SEIZURE = "seizure", _("Seizure of equipment or documents")
    INSPECTION = "inspection", _("Inspection")
    SUMMONS = "summons", _("Summons for questioning")
    CHARGE = "charge", _("Charge or lawsuit")
    BLOCKING = "blocking", _("Blocking of a website or account")
    OTHER = "other", _("Something else")


class PerpetratorType(models.TextChoices):
    POLICE = "police", _("Police")
    PROSECUTOR = "prosecutor", _("Prosecutor's office")
    INSPECTORATE = "inspectorate", _("Inspectorate or tax authority")
    COMPANY_LAWYER = "company_lawyer", _("Lawyer acting for a software company")
    OTHER = "other", _("Other or not known")


class DatePrecision(models.TextChoices):
    YEAR = "year", _("year")
    MONTH = "month", _("month")
    DAY = "day", _("day")


class Status(models.TextChoices):
    NEW = "new", _("Received, waiting for a responder")
    VETTING = "vetting", _("Being checked")
    ACCEPTED = "accepted", _("Accepted")
    OUT_OF_MANDATE = "out_of_mandate", _("Referred to another organisation")
    IN_PROGRESS = "in_progress", _("Responders are acting")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


class Severity(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")


def provisional_severity(act_types: list[str]) -> str:
    """The severity a report gets before anyone has read it: critical while
    equipment is being taken (a raid or a seizure), high otherwise. Triage
    changes it; nothing arrives as normal, since nobody has judged it yet."""
    if {ActType.RAID, ActType.SEIZURE} & set(act_types):
        return Severity.CRITICAL
    return Severity.HIGH


class Case(models.Model):
    reference = models.CharField(max_length=16, unique=True)
    # Indexed by (team, received_at) below, which also serves team alone.
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="cases", db_index=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    received_at = models.DateTimeField()
    language = models.CharField(max_length=8)

    # Triage metadata, plain so routing, timers and statistics need no key.
    act_types = models.JSONField()
    occurred_on = models.CharField(max_length=10)  # YYYY, YYYY-MM or YYYY-MM-DD
    occurred_precision = models.CharField(max_length=5, choices=DatePrecision.choices)
    country = models.CharField(max_length=2)
    perpetrator_type = models.CharField(max_length=16, choices=PerpetratorType.choices, blank=True)
    company = models.CharField(max_length=200, blank=True)
    items_seized_count = models.PositiveIntegerField(null=True, blank=True)

    # narrative, contact, organisation, locality, perpetrator name, items' kind
    sealed_content = models.BinaryField()

    # Receipt custody: the lookup tag finds the case; the case key sealed to
    # the receipt's public key lets the reporter read replies.
    receipt_tag = models.CharField(max_length=64, unique=True)
    receipt_public_key = models.BinaryField(max_length=32)
    receipt_sealed_key = models.BinaryField()

    # Triage, in plain columns like the metadata above: timers and lists need no key.
    severity = models.CharField(max_length=8, choices=Severity.choices, default=Severity.HIGH)
    # Always a reader of the case: revoking a reader's access unassigns them.
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, db_index=False,
                                 on_delete=models.SET_NULL, related_name="assigned_cases")
    # Short tags chosen by responders ("lawyer-needed", "press"); never names.
    labels = models.JSONField(default=list, blank=True)
    # When a responder first moved the case out of `new` or took it on: the
    # acknowledgement clock of the response-time promise stops here.
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # Every index is written by every report (a page of the write-ahead
        # log each, synced): none that another already serves, and a new
        # case, unassigned, touches no index of assignees.
        indexes = [models.Index(fields=["team", "-received_at"]),
                   models.Index(fields=["assignee"], condition=models.Q(assignee__isnull=False),
                                name="case_assignee")]

    def __str__(self) -> str:
        return self.reference

    def get_act_types_display(self) -> str:
        """The act types in the reader's language, as ``get_FOO_display`` does for one choice."""
        labels = dict(ActType.choices)
        return ", ".join(str(labels.get(code, code)) for code in self.act_types)


class Arrival(models.Model):
    """A stored report the worker has not opened yet: its audit entry, its
    acknowledgement clock and its team's alert are still to be written
    (``actions.opening``). The intake writes one with the case, in the same
    commit, so none is lost; the worker deletes it in the commit that opens
    the case. Kept out of the report's own transaction because that
    transaction holds SQLite's write lock, for every other report waiting."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, primary_key=True, related_name="+")
    files = models.PositiveSmallIntegerField()  # evidence files stored with it, for its audit entry

    def __str__(self) -> str:
        return f"case {self.case_id}, not opened yet"


class CaseKey(models.Model):
    """The case key sealed to one reader's public key."""

    # Indexed by one_key_per_reader (case, user), which also serves case alone.
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="keys", db_index=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_keys")
    sealed_key = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="one_key_per_reader")]

    def __str__(self) -> str:
        return f"{self.case_id} for user {self.user_id}"


class Evidence(models.Model):
    """An uploaded file, stored encrypted under its own file key. The file key,
    original name, type, size and SHA-256 are inside ``sealed_meta``."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evidence")
    public_id = models.CharField(max_length=32, unique=True)
    sealed_meta = models.BinaryField()
    stored_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.public_id


class CustodyRecord(models.Model):
    """One link of a file's chain of custody: when, who (nobody: the sender or
    owner, with their receipt), what (``action``, in the subclass), and the
    details sealed -- a file's hash too, since a hash of a known document
    would confirm who holds it."""

    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sealed_detail = models.BinaryField()
    action: str  # each kind of record has its own choices

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action} at {self.at:%Y-%m-%d %H:%M:%S}"


class CustodyEntry(CustodyRecord):
    """Chain of custody for a piece of evidence; the first entry, written at
    upload, records the SHA-256 of the original bytes."""

    class Action(models.TextChoices):
        RECEIVED = "received", _("Received")
        OPENED = "opened", _("Opened by a responder")

    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="custody")
    action = models.CharField(max_length=16, choices=Action.choices)


class Message(models.Model):
    """A message between responders and the reporter, encrypted under the case key."""

    class Direction(models.TextChoices):
        TO_REPORTER = "to_reporter", _("To the reporter")
        FROM_REPORTER = "from_reporter", _("From the reporter")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=16, choices=Direction.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField()
    ciphertext = models.BinaryField()

    class Meta:
        ordering = ["sent_at", "id"]

    def __str__(self) -> str:
        return f"{self.direction} at {self.sent_at:%Y-%m-%d %H:%M:%S}"


class CaseTransition(models.Model):
    """One change of a case's state: who moved it, from where to where, when.

    A case is in `new` from ``received_at`` until its first transition, so
    the rows alone say how long it spent in every state."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(max_length=16, choices=Status.choices)
    to_state = models.CharField(max_length=16, choices=Status.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                           related_name="+")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_state} -> {self.to_state} at {self.at:%Y-%m-%d %H:%M:%S}"


class Intervention(models.Model):
    """Something responders did about the case. The kind and dates are plain
    (they make the response statistics); what was done, in words, is in
    ``sealed_note`` under the case key, bound to ``public_id``."""

    class Kind(models.TextChoices):
        LETTER_TO_AUTHORITY = "letter_to_authority", _("Letter to an authority")
        LAWYER_DISPATCHED = "lawyer_dispatched", _("Lawyer dispatched")
        COMPANY_STATEMENT_REQUESTED = "company_statement_requested", _("Company statement requested")
        COMPANY_STATEMENT_ISSUED = "company_statement_issued", _("Company statement issued")
        PUBLIC_STATEMENT = "public_statement", _("Public statement")
        EQUIPMENT_RETURNED = "equipment_returned", _("Equipment returned")
        OTHER = "other", _("Other")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="interventions")
    public_id = models.CharField(max_length=32, unique=True)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    # The day it was done; for equipment returned, the day it came back.
    happened_on = models.DateField()
    # Equipment returned only: the day it was taken (the report's date when
    # that is exact to the day), so the days held never depend on a guess.
    seized_on = models.DateField(null=True, blank=True)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sealed_note = models.BinaryField()

    class Meta:
        ordering = ["happened_on", "id"]

    def __str__(self) -> str:
        return f"{self.kind} on {self.happened_on}"

    @property
    def days_held(self) -> int | None:
        if self.seized_on is None:
            return None
        return (self.happened_on - self.seized_on).days


class Referral(models.Model):
    """The case handed to a partner organisation, to be followed up on
    ``follow_up_on``. The partner's name is plain (reminders and statistics
    name it without a key); the note is sealed under the case key."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    public_id = models.CharField(max_length=32, unique=True)
    partner = models.CharField(max_length=200)
    sealed_note = models.BinaryField()
    follow_up_on = models.DateField()
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    followed_up_at = models.DateTimeField(null=True, blank=True)
    followed_up_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["follow_up_on"], condition=models.Q(followed_up_at=None),
                                name="open_referrals_by_date")]

    def __str__(self) -> str:
        return f"{self.public_id} to {self.partner}"

    @property
    def is_open(self) -> bool:
        return self.followed_up_at is None
