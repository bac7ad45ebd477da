"""A baseline for load tests: the smallest response through the full middleware stack.

Load benchmarks quote each page's throughput as a share of this endpoint's on
the same server and run. It reads nothing and writes nothing, so it is
harmless in production.
"""

from django.http import HttpResponse
from django.views.decorators.http import require_GET


@require_GET
def baseline(request):
    return HttpResponse(b"ok\n", content_type="text/plain")
