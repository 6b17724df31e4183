from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from core.workbench import cards_for


@login_required
def workbench(request):
    """The home page: what waits for this user, from every app, in their scope."""
    return render(request, "dashboard/workbench.html", {"cards": cards_for(request.user)})
