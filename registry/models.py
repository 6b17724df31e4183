"""Models of this app; see DESIGN.md for the habits."""
