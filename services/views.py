"""Pages of the services app. Thin: parse, call a service or a selector, render."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def request_detail(request, pk):
    return HttpResponse("")
