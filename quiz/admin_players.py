"""Admin for players and attempts (hiding display names, voiding attempts).

Voiding, unvoiding and deleting update the leaderboards after the change is
committed (leaderboard.attempt_changed / player_removed); hiding a display name
needs no board update, since names are read from the database on every request.
"""

from django.contrib import admin, messages
from django.db import transaction

from quiz import leaderboard
from quiz.models import AttemptQuestion, Player, QuizAttempt


@admin.register(Player)
class PlayerAdmin(admin.ModelAdmin):
    list_display = ["display_name", "user", "display_name_hidden", "watched_through", "created_at"]
    list_filter = ["display_name_hidden"]
    search_fields = ["display_name", "user__username", "user__email"]
    list_select_related = ["user"]
    # rating: the player's skill learnt from finished quizzes (quiz.rating), on the
    # questions' scale; rated_answers: how many answers it rests on.
    readonly_fields = ["user", "rating", "rated_answers", "created_at"]
    fields = [
        "user",
        "display_name",
        "display_name_hidden",
        "watched_through",
        "rating",
        "rated_answers",
        "created_at",
    ]
    actions = ["hide_display_names", "show_display_names"]

    @admin.action(description="Hide the display names of the selected players")
    def hide_display_names(self, request, queryset):
        count = queryset.update(display_name_hidden=True)
        self.message_user(request, f"Hid {count} display name(s): boards show “Hidden player”.")

    @admin.action(description="Show the display names of the selected players again")
    def show_display_names(self, request, queryset):
        count = queryset.update(display_name_hidden=False)
        self.message_user(request, f"Showing {count} display name(s) again.")

    def delete_model(self, request, obj):
        player_id = obj.pk
        super().delete_model(request, obj)
        transaction.on_commit(lambda: leaderboard.player_removed(player_id))

    def delete_queryset(self, request, queryset):
        player_ids = list(queryset.values_list("pk", flat=True))
        super().delete_queryset(request, queryset)
        transaction.on_commit(lambda: [leaderboard.player_removed(pk) for pk in player_ids])


class AttemptQuestionInline(admin.TabularInline):
    """The questions of an attempt as they were served and answered: a record, not editable."""

    model = AttemptQuestion
    fields = [
        "position",
        "text",
        "difficulty",
        "spoiler_level",
        "chosen_text",
        "correct_text",
        "is_correct",
        "points",
        "answered_at",
        "deadline",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def _changed_on_commit(attempts) -> None:
    attempts = list(attempts)
    transaction.on_commit(lambda: [leaderboard.attempt_changed(a) for a in attempts])


@admin.register(QuizAttempt)
class QuizAttemptAdmin(admin.ModelAdmin):
    list_display = [
        "public_id",
        "player",
        "status",
        "difficulty",
        "watched_through",
        "score",
        "correct_count",
        "length",
        "seconds",
        "finished_at",
        "voided",
    ]
    list_filter = [
        "status",
        "voided",
        "mode",
        "timed",
        "difficulty",
        "watched_through",
        "bank",
        "finished_at",
    ]
    search_fields = ["player__display_name", "player__user__username", "=public_id"]
    list_select_related = ["player"]
    date_hierarchy = "finished_at"
    ordering = ["-started_at"]
    raw_id_fields = ["player"]
    readonly_fields = [
        "public_id",
        "player",
        "session_key",
        "bank",
        "difficulty",
        "watched_through",
        "category",
        "length",
        "status",
        "started_at",
        "finished_at",
        "score",
        "correct_count",
        "answered_count",
        "seconds",
        "mode",
        "timed",
        "daily_date",
        "shortened",
        "share_token",
    ]
    fields = [*readonly_fields, "voided"]
    inlines = [AttemptQuestionInline]
    actions = ["void_attempts", "unvoid_attempts"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Void the selected attempts (they leave the leaderboards)")
    def void_attempts(self, request, queryset):
        self._set_voided(request, queryset, True)

    @admin.action(description="Unvoid the selected attempts (they count again)")
    def unvoid_attempts(self, request, queryset):
        self._set_voided(request, queryset, False)

    def _set_voided(self, request, queryset, voided: bool) -> None:
        changed = list(queryset.exclude(voided=voided).select_related(None))
        QuizAttempt.objects.filter(pk__in=[a.pk for a in changed]).update(voided=voided)
        for attempt in changed:
            attempt.voided = voided
        _changed_on_commit(changed)
        verb = "Voided" if voided else "Unvoided"
        self.message_user(
            request, f"{verb} {len(changed)} attempt(s); the leaderboards follow.", messages.SUCCESS
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "voided" in form.changed_data:
            _changed_on_commit([obj])
