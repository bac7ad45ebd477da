from django.contrib import admin
from django.urls import include, path

from quiz.views import bench, site

urlpatterns = [
    path("healthz", site.healthz, name="healthz"),
    path("bench/baseline", bench.baseline, name="bench_baseline"),
    path("admin/", admin.site.urls),
    path("accounts/", include("quiz.urls_accounts")),
    path("", include("quiz.urls")),
]

handler400 = "quiz.views.site.bad_request"
handler403 = "quiz.views.site.permission_denied"
handler404 = "quiz.views.site.page_not_found"
handler500 = "quiz.views.site.server_error"
