from core.navigation import entries_for
from core.rules import assignments_of


def shell(request):
    """What the page shell needs: the user's roles and the menu entries they may open."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"my_assignments": [], "nav_entries": []}
    return {"my_assignments": assignments_of(user), "nav_entries": entries_for(user)}
