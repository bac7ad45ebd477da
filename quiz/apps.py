from django.apps import AppConfig


class QuizConfig(AppConfig):
    name = "quiz"
    verbose_name = "HH Quiz"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from quiz import csrfmask, randomness

        randomness.install()
        csrfmask.install()
