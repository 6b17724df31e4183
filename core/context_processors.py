from core.navigation import entries_for, sections_for
from core.passwords import needs_second_factor
from core.rules import assignments_of


def shell(request):
    """What the page shell needs: the user's roles and the menu entries they may open."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"my_assignments": [], "nav_entries": [], "nav_items": []}
    if needs_second_factor(user):
        # Every page but the authenticator's sends back there: a menu would only lead in circles.
        return {"my_assignments": assignments_of(user), "nav_entries": [], "nav_items": []}
    entries = entries_for(user)
    match = getattr(request, "resolver_match", None)
    current = match.view_name if match else None
    return {
        "my_assignments": assignments_of(user),
        "nav_entries": entries,
        "nav_items": sections_for(entries, current),
    }
