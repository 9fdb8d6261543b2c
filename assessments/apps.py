from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("Quizzes")

    def ready(self):
        from . import (
            integration,  # noqa: F401 - course completion, module page and log action hooks
            permissions,  # noqa: F401 - registers the rules permissions
        )
