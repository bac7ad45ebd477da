"""URLs of the public API, at Open Trivia DB's relative paths under /api/."""

from django.urls import path

from quiz.views import api

app_name = "api"

urlpatterns = [
    path("", api.home, name="home"),
    path("api.php", api.questions, name="questions"),
    path("api_token.php", api.token, name="token"),
    path("api_category.php", api.categories, name="categories"),
    path("api_count.php", api.category_count, name="category_count"),
    path("api_count_global.php", api.global_count, name="global_count"),
    path("openapi.json", api.openapi, name="openapi"),
]
