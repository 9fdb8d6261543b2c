"""Events other apps may listen to, so that apps above (credentials) learn of approved hours
without this app knowing they exist.

``hours_changed`` is sent inside the deciding transaction after approved hours change (entries
approved, or an approved entry reopened), with ``trainee_ids``: whose totals moved.
"""

from django.dispatch import Signal

hours_changed = Signal()
