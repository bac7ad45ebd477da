"""Accounts: sign up, log in/out, password change and reset, profile, deletion."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from quiz import leaderboard
from quiz.forms import DeleteAccountForm, SignUpForm
from quiz.models import Player, Report
from quiz.profile import profile_stats
from quiz.visitor import claim_session_attempts, keep_session_choices


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("profile")
    # "Sign up to save this score" comes back to the results, now with their rank.
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    if request.method != "POST":
        return render(request, "accounts/signup.html", {"form": SignUpForm(), "next": next_url})
    form = SignUpForm(request.POST)
    user = None
    if form.is_valid():
        try:
            user = form.save()
        except IntegrityError:
            # Another request took the name between validation and saving:
            # validating again reports which one (or finds it was this browser).
            form = SignUpForm(request.POST)
            form.is_valid()
    if user is None and "username" in form.errors:
        # A double click: the first submit created the account, so this one
        # logs in with the same details instead of showing "already taken".
        user = form.account_just_created()
    if user is not None:
        login(request, user, backend="quiz.auth.PlayerBackend")
        claimed = claim_session_attempts(request, user.player)
        keep_session_choices(request, user.player)
        if claimed:
            messages.success(
                request,
                f"Welcome, {user.player.display_name}! "
                + (
                    "Your quiz is saved to your account."
                    if claimed == 1
                    else f"Your {claimed} quizzes are saved to your account."
                ),
            )
        else:
            messages.success(request, f"Welcome, {user.player.display_name}!")
        return redirect(next_url or "quiz:home")
    if not form.errors:
        form.add_error(None, "That name was just taken. Please try again.")
    return render(request, "accounts/signup.html", {"form": form, "next": next_url}, status=400)


class LoginView(auth_views.LoginView):
    """Django's login, plus: quizzes played anonymously in this browser are kept."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        player = Player.objects.for_user(self.request.user)
        claim_session_attempts(self.request, player)
        keep_session_choices(self.request, player)
        return response


login_view = LoginView.as_view()
logout_view = auth_views.LogoutView.as_view()
password_change = auth_views.PasswordChangeView.as_view(
    template_name="accounts/password_change.html", success_url=reverse_lazy("password_change_done")
)
password_change_done = auth_views.PasswordChangeDoneView.as_view(
    template_name="accounts/password_change_done.html"
)
password_reset = auth_views.PasswordResetView.as_view(
    template_name="accounts/password_reset.html",
    email_template_name="accounts/password_reset_email.txt",
    subject_template_name="accounts/password_reset_subject.txt",
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="accounts/password_reset_done.html"
)
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="accounts/password_reset_confirm.html"
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)


@login_required
def profile(request):
    player = Player.objects.for_user(request.user)
    return render(request, "accounts/profile.html", {"player": player, **profile_stats(player)})


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request):
    form = DeleteAccountForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        player = getattr(request.user, "player", None)
        player_id = player.pk if player else None
        user = request.user
        with transaction.atomic():
            # "Your account and your scores have been deleted": the reports
            # stay for the editors, without the words this player wrote.
            Report.objects.filter(player_id=player_id).update(note="")
            user.delete()
            if player_id is not None:
                transaction.on_commit(lambda: leaderboard.player_removed(player_id))
        logout(request)
        messages.success(request, "Your account and your scores have been deleted.")
        return redirect("quiz:home")
    return render(
        request, "accounts/delete.html", {"form": form}, status=400 if form.errors else 200
    )
