"""What a responder types to get in, change a password or prove who they are again."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import User

# People type codes as "123 456" or "123-456", or paste them with a stray space.
_CODE_SEPARATORS = re.compile(r"[\s-]+")


class CodeField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            label=gettext_lazy("Code from your authenticator app"),
            help_text=gettext_lazy("The 6 digits the app shows for Tocsin right now."),
            max_length=32,
            widget=forms.TextInput(attrs={
                "autocomplete": "one-time-code", "inputmode": "numeric", "autocapitalize": "off",
                "spellcheck": "false",
            }),
            **kwargs,
        )

    def clean(self, value: Any) -> str:
        code = _CODE_SEPARATORS.sub("", super().clean(value))
        if not re.fullmatch(r"\d{6}", code, flags=re.ASCII):
            raise forms.ValidationError(_("Enter the 6 digits your authenticator app shows, "
                                          "for example 123456."), code="format")
        return code


class CodeForm(forms.Form):
    code = CodeField()


class ReauthForm(forms.Form):
    password = forms.CharField(label=gettext_lazy("Password"), widget=forms.PasswordInput,
                               strip=False, max_length=4096)
    code = CodeField()


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


class RecoverForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Username"))
    recovery_key = forms.CharField(label=gettext_lazy("Recovery key"))
    new_password = forms.CharField(label=gettext_lazy("New password"), widget=forms.PasswordInput,
                                   strip=False)

    def clean_new_password(self) -> str:
        value = self.cleaned_data["new_password"]
        password_validation.validate_password(value, User(username=self.cleaned_data.get("username", "")))
        return value
