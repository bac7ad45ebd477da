"""Admin for players and attempts (hiding display names, voiding attempts)."""
