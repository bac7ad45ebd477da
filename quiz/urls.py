from django.urls import path

from quiz.views import daily, leaderboard, play, share

app_name = "quiz"

urlpatterns = [
    path("", play.home, name="home"),
    path("quiz/start/", play.start, name="start"),
    path("quiz/episode/", play.episode_start, name="episode_start"),
    path("daily/", daily.daily_page, name="daily"),
    path("daily/start/", daily.daily_start, name="daily_start"),
    path("daily/<str:day>/<int:watched_through>/", daily.daily_board, name="daily_board"),
    path("r/<str:token>/", share.share_page, name="share"),
    path("r/<str:token>/card.png", share.share_image, name="share_image"),
    path("quiz/<uuid:public_id>/", play.play_attempt, name="play"),
    path("quiz/<uuid:public_id>/q/<int:position>/", play.question, name="question"),
    path("quiz/<uuid:public_id>/q/<int:position>/report/", play.report, name="report"),
    path("quiz/<uuid:public_id>/results/", play.results, name="results"),
    path("quiz/<uuid:public_id>/abandon/", play.abandon, name="abandon"),
    path("quiz/<uuid:public_id>/watched/", play.raise_watched, name="raise_watched"),
    path("about/scoring/", play.about_scoring, name="about_scoring"),
    path("leaderboard/", leaderboard.leaderboard, name="leaderboard"),
]
