from django.urls import path

from quiz.views import leaderboard, play

app_name = "quiz"

urlpatterns = [
    path("", play.home, name="home"),
    path("quiz/start/", play.start, name="start"),
    path("quiz/<uuid:public_id>/", play.play_attempt, name="play"),
    path("quiz/<uuid:public_id>/q/<int:position>/", play.question, name="question"),
    path("quiz/<uuid:public_id>/q/<int:position>/report/", play.report, name="report"),
    path("quiz/<uuid:public_id>/results/", play.results, name="results"),
    path("quiz/<uuid:public_id>/abandon/", play.abandon, name="abandon"),
    path("about/scoring/", play.about_scoring, name="about_scoring"),
    path("leaderboard/", leaderboard.leaderboard, name="leaderboard"),
]
