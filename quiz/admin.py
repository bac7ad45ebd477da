from quiz import admin_players  # noqa: F401 - registers Player and QuizAttempt admins
