from django.urls import path

from quiz.views import site

app_name = "quiz"

urlpatterns = [
    path("", site.home, name="home"),
]
