"""The responder's inbox and case pages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tocsin.crypto import boxes
from tocsin.intake.actions import evidence_path
from tocsin.intake.forms import TextField

from . import actions
from .access import access_case, case_key, visible_cases


class ReplyForm(forms.Form):
    body = TextField(label=gettext_lazy("Message to the reporter"), required=True, max_length=10_000,
                     widget=forms.Textarea(attrs={"rows": 4}))


@never_cache
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    cases = visible_cases(request.user).select_related("team")[:200]  # type: ignore[arg-type]
    return render(request, "cases/inbox.html", {"cases": cases})


@never_cache
@login_required
def case_detail(request: HttpRequest, reference: str, reply_form: ReplyForm | None = None) -> HttpResponse:
    case = access_case(request.user, reference)
    opened = actions.open_case(case, case_key(request, case), acting_user=request.user)
    return render(request, "cases/case.html", {"opened": opened, "reply_form": reply_form or ReplyForm()},
                  status=400 if reply_form is not None else 200)


@login_required
@require_POST
def reply(request: HttpRequest, reference: str) -> HttpResponse:
    case = access_case(request.user, reference)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return case_detail(request, reference, reply_form=form)
    actions.send_to_reporter(case, case_key(request, case), form.cleaned_data["body"],
                             acting_user=request.user)
    return redirect("cases:case", reference=reference)


class DecryptedFile:
    """An evidence file decrypted as it is sent. It is opened at once, so a
    missing file fails before the download starts, and closed with the
    response, even when the client goes away before reading any of it."""

    def __init__(self, path: Path, file_key: bytes, *, bound_to: str) -> None:
        self.source = path.open("rb")
        self.file_key, self.bound_to = file_key, bound_to

    def __iter__(self) -> Iterator[bytes]:
        return boxes.decrypt_stream(self.file_key, self.source, bound_to=self.bound_to)

    def close(self) -> None:
        self.source.close()


@never_cache
@login_required
def evidence(request: HttpRequest, reference: str, public_id: str) -> StreamingHttpResponse:
    """Stream a file decrypted, as a download: never rendered inline, since a
    document from an adversary may be crafted to attack a browser."""
    case = access_case(request.user, reference)
    item = case.evidence.filter(public_id=public_id).first()
    if item is None:
        raise Http404
    meta = actions.open_evidence(case, item, case_key(request, case), acting_user=request.user)
    content = DecryptedFile(evidence_path(item.public_id), bytes.fromhex(meta["file_key"]),
                            bound_to=item.public_id)
    # Not FileResponse: given anything but a file it silently drops the attachment header.
    response = StreamingHttpResponse(content, content_type="application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(True, meta["name"] or "evidence")
    response["Content-Length"] = str(meta["size"])
    return response
