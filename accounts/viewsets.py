"""Wagtail's user admin, adapted to our User: legal and preferred name instead of first and last."""

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _
from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views.users import UserViewSet as WagtailUserViewSet

from .models import User

USER_CREATE_FIELDS = ["email", "legal_name", "preferred_name", "is_superuser", "groups"]
USER_EDIT_FIELDS = [*USER_CREATE_FIELDS, "is_active"]
PASSWORD_MAX_LENGTH = 4096
"""Far beyond any real passphrase (ASVS asks that 64 characters work), but a bound."""


class BoundedPasswordsMixin:
    """Wagtail's password fields have no length limit; every input here has one."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("password1", "password2"):
            if name in self.fields:
                field = self.fields[name]
                field.max_length = PASSWORD_MAX_LENGTH
                field.validators.append(MaxLengthValidator(PASSWORD_MAX_LENGTH))


class AlongsideUserCreationForm(BoundedPasswordsMixin, UserCreationForm):
    first_name = None
    last_name = None
    legal_name = forms.CharField(label=_("Legal name"), max_length=200)
    preferred_name = forms.CharField(label=_("Preferred name"), max_length=100, required=False)

    class Meta(UserCreationForm.Meta):
        model = User
        fields = USER_CREATE_FIELDS


class AlongsideUserEditForm(BoundedPasswordsMixin, UserEditForm):
    first_name = None
    last_name = None
    legal_name = forms.CharField(label=_("Legal name"), max_length=200)
    preferred_name = forms.CharField(label=_("Preferred name"), max_length=100, required=False)

    class Meta(UserEditForm.Meta):
        model = User
        fields = USER_EDIT_FIELDS


class UserViewSet(WagtailUserViewSet):
    def get_form_class(self, for_update=False):
        return AlongsideUserEditForm if for_update else AlongsideUserCreationForm
