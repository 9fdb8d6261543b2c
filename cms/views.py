from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from organizations.roles import ROLE_LABELS, person_roles

from .dashboard import panels_for


@login_required
def dashboard(request):
    roles = person_roles(request.user)
    return render(
        request,
        "cms/dashboard.html",
        {
            "panels": panels_for(request),
            "role_labels": [ROLE_LABELS[role] for role in ROLE_LABELS if role in roles],
        },
    )
