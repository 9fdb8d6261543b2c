"""Events other apps may listen to, so that apps above (credentials) learn of progress without
this app knowing they exist.

``course_completed`` is sent inside the completing transaction, once per enrollment, with
``enrollment`` (an ``Enrollment`` with ``course`` loaded) and ``trainee``.
"""

from django.dispatch import Signal

course_completed = Signal()
