"""Content-Security-Policy with one documented exception.

The public site and the trainee pages run no inline script or style. Wagtail's admin still
relies on inline styles and a few inline scripts, so under ``/admin/`` those two directives also
allow ``'unsafe-inline'``. Everything else (sources, framing, form targets) stays as strict.
"""

from csp.middleware import CSPMiddleware, PolicyParts

ADMIN_PREFIX = "/admin/"
ADMIN_RELAXATIONS = {
    "script-src": ["'self'", "'unsafe-inline'"],
    "style-src": ["'self'", "'unsafe-inline'"],
}


class SiteCSPMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if request.path_info.startswith(ADMIN_PREFIX):
            parts.replace = {**ADMIN_RELAXATIONS, **(parts.replace or {})}
        return parts
