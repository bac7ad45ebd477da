from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from quiz.health import health


@require_GET
@never_cache
def healthz(request):
    code, body = health()
    return JsonResponse(body, status=code)
