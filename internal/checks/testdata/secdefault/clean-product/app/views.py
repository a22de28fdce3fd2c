import platform

import requests
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpResponse, JsonResponse


def health(request):
    return HttpResponse("ok")


@staff_member_required
def system_info(request):
    return JsonResponse({"python": platform.python_version()})


def fetch_avatar(url, ca_bundle):
    return requests.get(url, timeout=5, verify=ca_bundle).content
