from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render


@login_required
def index(request):
    if not request.user.has_perm("deliberation.use"):
        raise PermissionDenied
    return render(request, "deliberation/index.html", {})
