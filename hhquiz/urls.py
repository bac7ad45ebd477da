from django.contrib import admin
from django.urls import include, path

from quiz import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("quiz.urls")),
]

handler400 = "quiz.views.bad_request"
handler403 = "quiz.views.permission_denied"
handler404 = "quiz.views.page_not_found"
handler500 = "quiz.views.server_error"
