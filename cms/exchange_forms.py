"""The upload field the admin import pages share (course packages, credential programs)."""

from django import forms
from django.utils.translation import gettext as _

MAX_FILES = 50


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class JsonFilesField(forms.FileField):
    """One or more uploaded ``.json`` files. ``wrong_type`` is the translated message for other
    files, with ``%(names)s``."""

    widget = MultipleFileInput(attrs={"accept": ".json,application/json"})

    def __init__(self, *args, wrong_type: str, **kwargs):
        self.wrong_type = wrong_type
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        cleaned = [super(JsonFilesField, self).clean(item, initial) for item in files]
        if len(cleaned) > MAX_FILES:
            raise forms.ValidationError(
                _("Upload at most %(count)s files at a time.") % {"count": MAX_FILES}
            )
        wrong = [item.name for item in cleaned if not item.name.lower().endswith(".json")]
        if wrong:
            raise forms.ValidationError(str(self.wrong_type) % {"names": ", ".join(wrong)})
        return cleaned
