"""What responders (and reporters) do to a case. Each action is atomic and audited.

One module per domain seam; everything is importable from here."""

from .grants import find_responder, find_team, grant, revoke
from .messages import receive_from_reporter, send_to_reporter
from .reading import OpenedCase, export_case, open_case, open_evidence, record_integrity_failure
from .records import close_referral, record_intervention, refer
from .triage import assign, change_severity, reader_named, set_labels, transition

__all__ = [
    "OpenedCase", "assign", "change_severity", "close_referral", "export_case", "find_responder",
    "find_team", "grant", "open_case", "open_evidence", "reader_named", "receive_from_reporter",
    "record_integrity_failure", "record_intervention", "refer", "revoke", "send_to_reporter",
    "set_labels", "transition",
]
