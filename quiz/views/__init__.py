"""Views, one module per area: site (health, errors), play, accounts, leaderboard."""
