from django.contrib import admin
from django.urls import include, path

from quiz.views import bench, site

urlpatterns = [
    path("healthz", site.healthz, name="healthz"),
    path("theme/", site.theme, name="theme"),
    path("favicon.ico", site.favicon, name="favicon"),
    path("bench/baseline", bench.baseline, name="bench_baseline"),
    path("admin/", admin.site.urls),
    path("api/", include("quiz.api_urls")),
    path("accounts/", include("quiz.urls_accounts")),
    path("", include("quiz.urls")),
]

# No handler400/403/404/500 and no CSRF_FAILURE_VIEW: Django's default error views
# render templates/400.html, 403.html, 404.html, 500.html and 403_csrf.html. None
# of the former handler views did anything a template cannot.
