from core.rules import assignments_of


def shell(request):
    """What the page shell needs: the user's roles for the navigation."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"my_assignments": []}
    return {"my_assignments": assignments_of(user)}
