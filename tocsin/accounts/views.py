"""Logging in: a password that unlocks the responder's key for this session
only, then a code from their authenticator app; and the pages around it."""

from __future__ import annotations

import math
from typing import Any

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from tocsin.crypto.boxes import DecryptionError

from . import actions, keyring, second_factor, throttle
from .forms import CodeForm, PasswordChangeForm, ReauthForm, RecoverForm
from .models import User
from .reauth import mark_authenticated


def _throttled(request: HttpRequest, verdict: throttle.Verdict) -> HttpResponse:
    minutes = max(1, math.ceil(verdict.seconds_left / 60))
    response = render(request, "accounts/throttled.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(verdict.seconds_left)
    return response


def _count_password_failure(request: HttpRequest, username: str, *, step: str) -> None:
    exhausted = throttle.count_failure(request, username=username)
    actions.record_failed_login(username, step=step)
    if exhausted:
        actions.record_throttling(username, exhausted, step=step)


def _count_code_failure(request: HttpRequest, user: User, *, step: str) -> None:
    # The failed code itself is audited by the action that checked it.
    exhausted = throttle.count_failure(request, account=user)
    if exhausted:
        actions.record_throttling(user.username, exhausted, step=step)


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


class LoginView(auth_views.LoginView):
    """The password step. The key is unwrapped here because only the password
    opens it; the session then waits for the second factor.

    The form is shown even to a session already logged in: one whose key cookie
    was lost (a browser restored without it) must be able to log in afresh."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = False

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        verdict = throttle.check(request, username=request.POST.get("username", ""))
        if verdict.throttled:
            return _throttled(request, verdict)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: Any) -> HttpResponse:
        if form.has_error(NON_FIELD_ERRORS, "invalid_login"):
            _count_password_failure(self.request, form.cleaned_data.get("username", ""), step="password")
        return super().form_invalid(form)

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        try:
            private = actions.unlock_private_key(user, form.cleaned_data["password"])
        except DecryptionError:
            # The password was set outside Tocsin (`tocsin changepassword`, the
            # shell), so it no longer opens the key; only the recovery key can.
            form.add_error(None, _("This password no longer opens your key, because it was "
                                   "changed outside Tocsin. Set a new one with your recovery key."))
            return self.form_invalid(form)
        if self.request.user.is_authenticated:
            # A fresh login starts from a fresh session: nothing of the old one
            # (its second factor least of all) carries over.
            self.request.session.flush()
        auth_login(self.request, user)
        second_factor.passed_password(self.request)
        step = "accounts:second_factor" if actions.confirmed_device(user) else "accounts:enrol"
        response = redirect(second_factor.with_next(step, self.get_redirect_url()))
        if private is not None:
            keyring.hold(self.request, response, private)
        else:
            keyring.forget(response)
        return response


def _not_at_code_step(request: HttpRequest, next_url: str | None) -> HttpResponse | None:
    """Where to send a session that has no business at the code step, if anywhere."""
    if not request.user.is_authenticated:
        return redirect_to_login(next_url or request.get_full_path())
    if request.user.is_verified():  # type: ignore[union-attr,attr-defined]
        return redirect(second_factor.safe_next(request, next_url))
    if not second_factor.password_step_is_fresh(request):
        logout(request)
        response = redirect(second_factor.with_next("accounts:login", next_url))
        keyring.forget(response)
        messages.info(request, _("Too much time passed since you entered your password. "
                                 "Please log in again."))
        return response
    return None


def _complete_login(request: HttpRequest, device: TOTPDevice, next_url: str | None) -> HttpResponse:
    otp_login(request, device)
    request.session.cycle_key()  # a new session id for the fully logged-in session
    second_factor.forget_password_step(request)
    mark_authenticated(request)
    actions.record_login(request.user)  # type: ignore[arg-type]
    return redirect(second_factor.safe_next(request, next_url))


def _wrong_code() -> str:
    return _("This code is not right, or it was used already. Enter the code your app shows now; "
             "if you have just used it, wait for the next.")


@never_cache
@require_http_methods(["GET", "POST"])
def second_factor_view(request: HttpRequest) -> HttpResponse:
    """The code step, for an account whose authenticator app is set up."""
    next_url = request.POST.get("next") or request.GET.get("next")
    if (elsewhere := _not_at_code_step(request, next_url)) is not None:
        return elsewhere
    user: User = request.user  # type: ignore[assignment]
    if actions.confirmed_device(user) is None:
        return redirect(second_factor.with_next("accounts:enrol", next_url))
    form = CodeForm(_posted(request))
    if request.method == "POST":
        verdict = throttle.check(request, account=user)
        if verdict.throttled:
            return _throttled(request, verdict)
        if form.is_valid():
            device = actions.check_code(user, form.cleaned_data["code"], step="login")
            if device is not None:
                return _complete_login(request, device, next_url)
            _count_code_failure(request, user, step="login")
            form.add_error("code", _wrong_code())
    return render(request, "accounts/second_factor.html", {"form": form, "next": next_url or ""},
                  status=400 if form.errors else 200)


@never_cache
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    """Setting up the authenticator app, at the first login (or the first after
    an administrator reset a lost phone)."""
    next_url = request.POST.get("next") or request.GET.get("next")
    if (elsewhere := _not_at_code_step(request, next_url)) is not None:
        return elsewhere
    user: User = request.user  # type: ignore[assignment]
    if actions.confirmed_device(user) is not None:
        return redirect(second_factor.with_next("accounts:second_factor", next_url))
    form = CodeForm(_posted(request))
    if request.method == "POST":
        verdict = throttle.check(request, account=user)
        if verdict.throttled:
            return _throttled(request, verdict)
        if form.is_valid():
            device = actions.confirm_enrolment(user, form.cleaned_data["code"])
            if device is not None:
                messages.success(request, _("Two-step login is set up. From now on, log in with your "
                                            "password and a code from the app."))
                return _complete_login(request, device, next_url)
            _count_code_failure(request, user, step="enrolment")
            form.add_error("code", _("This code is not right. Check that the app was set up with the "
                                     "code on this page, and enter the code it shows now."))
    device = actions.start_enrolment(user)
    return render(request, "accounts/enrol.html", {
        "form": form, "next": next_url or "", "qr_code": second_factor.qr_code(device),
        "manual_key": second_factor.manual_key(device),
    }, status=400 if form.errors else 200)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def reauth(request: HttpRequest) -> HttpResponse:
    """Proving who you are again, password and code, before granting access or
    exporting: a session left open on an unattended laptop cannot do either."""
    next_url = request.POST.get("next") or request.GET.get("next")
    user: User = request.user  # type: ignore[assignment]
    form = ReauthForm(_posted(request))
    if request.method == "POST":
        verdict = throttle.check(request, username=user.username, account=user)
        if verdict.throttled:
            return _throttled(request, verdict)
        if form.is_valid():
            if not user.check_password(form.cleaned_data["password"]):
                form.add_error("password", _("This password is not right."))
                _count_password_failure(request, user.username, step="reauth")
            elif actions.check_code(user, form.cleaned_data["code"], step="reauth") is None:
                form.add_error("code", _wrong_code())
                _count_code_failure(request, user, step="reauth")
            else:
                mark_authenticated(request)
                actions.record_reauthentication(user)
                return redirect(second_factor.safe_next(request, next_url))
    return render(request, "accounts/reauth.html", {"form": form, "next": next_url or ""},
                  status=400 if form.errors else 200)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        actions.record_logout(request.user)  # type: ignore[arg-type]
    logout(request)  # flushes the session, and the sealed key with it
    response = redirect("accounts:login")
    keyring.forget(response)
    return response


@never_cache
@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, _posted(request))  # type: ignore[arg-type]
    if request.method == "POST" and form.is_valid():
        actions.change_password(request.user, form.cleaned_data["old_password"],  # type: ignore[arg-type]
                                form.cleaned_data["new_password"])
        # Keep this session and the sealed key in it (login() would flush it
        # because the password hash changed); other sessions end with the old hash.
        update_session_auth_hash(request, request.user)  # type: ignore[arg-type]
        messages.success(request, _("Your password was changed."))
        return redirect("cases:inbox")
    return render(request, "accounts/password_change.html", {"form": form},
                  status=400 if form.errors else 200)


@never_cache
def recover(request: HttpRequest) -> HttpResponse:
    """A forgotten password: the recovery key unwraps the private key, so no case is lost.

    The second factor is still asked at the next login; a lost phone is an
    administrator's `tocsin otp reset`."""
    form = RecoverForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            _user, fresh = actions.recover(form.cleaned_data["username"], form.cleaned_data["recovery_key"],
                                       form.cleaned_data["new_password"])
        except DecryptionError:
            form.add_error("recovery_key", _("This username and recovery key do not match."))
        else:
            return render(request, "accounts/recovered.html", {"recovery_key": fresh})
    return render(request, "accounts/recover.html", {"form": form},
                  status=400 if form.errors else 200)
