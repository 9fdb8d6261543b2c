from django.urls import path

from . import views

urlpatterns = [
    path("quizzes/<int:pk>/", views.quiz_detail, name="quiz_detail"),
    path("quizzes/attempts/<uuid:pk>/", views.attempt_take, name="attempt_take"),
    path("quizzes/attempts/<uuid:pk>/save/", views.attempt_autosave, name="attempt_autosave"),
    path("quizzes/attempts/<uuid:pk>/result/", views.attempt_result, name="attempt_result"),
]
