from core.navigation import entries_for
from core.passwords import needs_second_factor
from core.rules import assignments_of


def shell(request):
    """What the page shell needs: the user's roles and the menu entries they may open."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"my_assignments": [], "nav_entries": []}
    if needs_second_factor(user):
        # Every page but the authenticator's sends back there: a menu would only lead in circles.
        return {"my_assignments": assignments_of(user), "nav_entries": []}
    return {"my_assignments": assignments_of(user), "nav_entries": entries_for(user)}
