from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

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


@never_cache
def health(request):
    """For load balancers and uptime checks: the app is up and serving through its middleware.
    Touches no database, so it is also the baseline the benchmarks compare pages against."""
    return HttpResponse("ok\n", content_type="text/plain")
