from django.urls import path

from . import views

urlpatterns = [
    path("hours/", views.hours_index, name="hours_index"),
    path("hours/new/", views.entry_form, name="hours_new"),
    path("hours/<int:pk>/edit/", views.entry_form, name="hours_edit"),
    path("hours/submit/", views.entries_submit, name="hours_submit"),
    path("hours/review/", views.review_queue, name="hours_review"),
    path("hours/review/approve/", views.review_approve, name="hours_review_approve"),
    path("hours/review/<int:pk>/reject/", views.review_reject, name="hours_review_reject"),
    path("hours/entries/<int:pk>/reopen/", views.entry_reopen, name="hours_reopen"),
    path("hours/record/<int:trainee_id>/", views.hours_record, name="hours_record"),
    path("hours/record/<int:trainee_id>/csv/", views.hours_record_csv, name="hours_record_csv"),
    path("hours/record/<int:trainee_id>/pdf/", views.hours_record_pdf, name="hours_record_pdf"),
]
