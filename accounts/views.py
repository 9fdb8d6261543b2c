import json

from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from .forms import ProfileForm
from .personal_data import personal_data
from .security import log_security_event


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile was saved."))
        return redirect("profile")
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "mfa_enabled": is_mfa_enabled(request.user)},
    )


@login_required
@require_GET
def personal_data_download(request):
    """Everything we hold about the signed-in person, as a JSON file (``personal_data``)."""
    body = json.dumps(
        personal_data(request.user), cls=DjangoJSONEncoder, indent=2, ensure_ascii=False
    )
    log_security_event("data.exported", request=request)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    name = f"alongside-data-{timezone.localdate().isoformat()}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response
