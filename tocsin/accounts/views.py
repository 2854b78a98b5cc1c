"""Logging in unlocks the responder's private key for this session only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import logout, password_validation, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tocsin.audit import log as audit
from tocsin.crypto.boxes import DecryptionError

from . import actions, keyring
from .models import ResponderKey, User


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

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
        response = super().form_valid(form)
        if private is not None:
            keyring.hold(self.request, response, private)
        with transaction.atomic():
            audit.record("login", actor=user, target=user.username)
        return response


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)  # flushes the session, and the sealed key with it
    response = redirect("accounts:login")
    keyring.forget(response)
    return response


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=gettext_lazy("Current password"), widget=forms.PasswordInput,
                                   strip=False)
    new_password = forms.CharField(label=gettext_lazy("New password"), widget=forms.PasswordInput,
                                   strip=False)

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_old_password(self) -> str:
        value = self.cleaned_data["old_password"]
        if not self.user.check_password(value):
            raise forms.ValidationError(_("Your current password is not right."))
        return value

    def clean_new_password(self) -> str:
        value = self.cleaned_data["new_password"]
        password_validation.validate_password(value, self.user)
        return value


@never_cache
@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)  # type: ignore[arg-type]
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


class RecoverForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Username"))
    recovery_key = forms.CharField(label=gettext_lazy("Recovery key"))
    new_password = forms.CharField(label=gettext_lazy("New password"), widget=forms.PasswordInput,
                                   strip=False)

    def clean_new_password(self) -> str:
        value = self.cleaned_data["new_password"]
        password_validation.validate_password(value, User(username=self.cleaned_data.get("username", "")))
        return value


@never_cache
def recover(request: HttpRequest) -> HttpResponse:
    """A forgotten password: the recovery key unwraps the private key, so no case is lost."""
    form = RecoverForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = User.objects.filter(username=form.cleaned_data["username"], is_active=True).first()
        try:
            if user is None:
                raise DecryptionError("no such user")
            fresh = actions.recover(user, form.cleaned_data["recovery_key"],
                                    form.cleaned_data["new_password"])
        except (DecryptionError, ResponderKey.DoesNotExist):
            form.add_error("recovery_key", _("This username and recovery key do not match."))
        else:
            return render(request, "accounts/recovered.html", {"recovery_key": fresh})
    return render(request, "accounts/recover.html", {"form": form},
                  status=400 if form.errors else 200)
