"""The quiz domain: banks of questions, players, attempts and reports.

Rules the database can hold are constraints; QuerySets and managers carry the
queries (owned_by, for_user). The verbs that change a quiz's state (answering,
finishing, claiming) are plain functions in quiz.play, safe against double submits.
"""

from __future__ import annotations

import random
import secrets
import uuid

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone


class Difficulty(models.TextChoices):
    EASY = "easy", "Easy"
    MEDIUM = "medium", "Medium"
    HARD = "hard", "Hard"


_DIFFICULTY_LABELS = dict(Difficulty.choices)


class QuizDifficulty(models.TextChoices):
    """What a player picks for a quiz: one difficulty, or a mix of all three."""

    EASY = "easy", "Easy"
    MEDIUM = "medium", "Medium"
    HARD = "hard", "Hard"
    MIXED = "mixed", "Mixed"


class SpoilerLevel(models.IntegerChoices):
    """How many episodes a player must have watched for something to be safe."""

    NONE = 0, "Not started (safe before watching)"
    EP1 = 1, "Episode 1"
    EP2 = 2, "Episode 2"
    EP3 = 3, "Episode 3"
    EP4 = 4, "Episode 4"
    EP5 = 5, "Episode 5"
    FINALE = 6, "Episode 6 — finished"


MAX_SPOILER_LEVEL = SpoilerLevel.FINALE


class Bank(models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    description = models.TextField(blank=True)
    is_published = models.BooleanField(
        default=True, help_text="Only published banks can be chosen by players."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CategoryManager(models.Manager):
    def ensure(self, slugs) -> int:
        """Create a category for each slug questions use that has none yet; returns how many.

        The generator and the importer write a question's category as a slug;
        this keeps the managed list complete after they run.
        """
        wanted = {slug for slug in slugs if slug}
        known = set(self.filter(slug__in=wanted).values_list("slug", flat=True))
        missing = [
            Category(slug=slug, name=Category.name_for(slug)) for slug in sorted(wanted - known)
        ]
        self.bulk_create(missing, ignore_conflicts=True)
        return len(missing)

    def ensure_for_questions(self) -> int:
        return self.ensure(
            Question.objects.order_by().values_list("category", flat=True).distinct()
        )

    def names(self) -> dict[str, str]:
        return dict(self.values_list("slug", "name"))


class Category(models.Model):
    """The managed list of question categories: admins pick from it, players filter by it."""

    slug = models.SlugField(
        max_length=40,
        unique=True,
        help_text="Stored on each question, e.g. cast. The question generator writes these.",
    )
    name = models.CharField(max_length=60, help_text="What players see, e.g. Cast.")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CategoryManager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def name_for(slug: str) -> str:
        return slug.replace("-", " ").replace("_", " ").capitalize()


class QuestionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Question.Status.PUBLISHED, bank__is_published=True)

    def for_difficulty(self, difficulty: str):
        if difficulty == QuizDifficulty.MIXED:
            return self
        return self.filter(difficulty=difficulty)

    def up_to_episode(self, watched_through: int):
        return self.filter(spoiler_level__lte=watched_through)

    def in_bank(self, bank):
        return self.filter(bank=bank)

    def in_category(self, category: str):
        return self.filter(category=category) if category else self

    def generated(self):
        return self.exclude(source_key="")

    def revealed_in(self, episode: int):
        """Questions first safe after exactly this episode: "I just watched episode k"."""
        return self.filter(spoiler_level=episode)


def new_random_key() -> float:
    return random.random()


class Question(models.Model):
    class Kind(models.TextChoices):
        MULTIPLE = "multiple", "Multiple choice"
        BOOLEAN = "boolean", "True / false"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        RETIRED = "retired", "Retired"

    bank = models.ForeignKey(Bank, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.MULTIPLE)
    text = models.TextField(help_text="The question as players read it. Plain text.")
    explanation = models.TextField(
        blank=True,
        help_text="Shown after answering. Must not reveal anything beyond the spoiler level.",
    )
    category = models.CharField(
        max_length=40,
        blank=True,
        help_text="A category's slug, chosen from the managed list of categories.",
    )
    difficulty = models.CharField(
        max_length=10, choices=Difficulty.choices, default=Difficulty.MEDIUM
    )
    spoiler_level = models.PositiveSmallIntegerField(
        choices=SpoilerLevel.choices,
        default=MAX_SPOILER_LEVEL,
        help_text=(
            "Episodes a player must have watched for this question (wording, every option "
            "and the explanation) to be safe. New questions default to 6, the safe choice."
        ),
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    source_key = models.CharField(
        max_length=200,
        blank=True,
        help_text="Stable key of a generated question; empty for hand-written ones.",
    )
    facts = models.JSONField(
        default=list,
        blank=True,
        help_text=(
            "Ids of the fact-base facts this question asks about. A quiz never holds two "
            "questions asking the same fact."
        ),
    )
    mentions = models.JSONField(
        default=list,
        blank=True,
        help_text=(
            "Ids of other facts its wording, options or explanation reveal. A quiz never holds "
            "a question that mentions a fact another question in it asks."
        ),
    )
    edited_by_admin = models.BooleanField(
        default=False,
        help_text="Set when an admin edits a generated question; the generator then leaves it alone.",
    )
    # Uniform random key for drawing questions without ORDER BY RANDOM().
    random_key = models.FloatField(default=new_random_key, editable=False)
    # Answers given in finished quizzes ("n % of players got this right").
    answer_count = models.PositiveIntegerField(default=0, editable=False)
    correct_count = models.PositiveIntegerField(default=0, editable=False)
    # Calibrated difficulty (quiz.rating): an Elo rating learnt from those answers.
    rating = models.FloatField(default=0.0, editable=False)
    rated_answers = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(spoiler_level__gte=0) & Q(spoiler_level__lte=6),
                name="question_spoiler_level_0_6",
            ),
            models.CheckConstraint(
                condition=Q(difficulty__in=Difficulty.values), name="question_difficulty_valid"
            ),
            models.UniqueConstraint(
                fields=["bank", "source_key"],
                condition=~Q(source_key=""),
                name="question_unique_source_key_per_bank",
            ),
        ]
        indexes = [
            # Drawing walks this index in random_key order from a random start
            # and stops after a small window: the filters on difficulty, spoiler
            # level and category are read from the index itself (no table
            # lookups, no sort), so the cost does not grow with the bank.
            models.Index(
                fields=[
                    "bank",
                    "status",
                    "random_key",
                    "difficulty",
                    "spoiler_level",
                    "category",
                    "id",
                ],
                name="question_draw_key_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def accuracy(self) -> float | None:
        if not self.answer_count:
            return None
        return self.correct_count / self.answer_count

    # "n % of players got this right" appears after an answer only from this many answers.
    PERCENT_RIGHT_MIN_ANSWERS = 20

    @property
    def percent_right(self) -> int | None:
        """The share of answers in finished quizzes that were right, in whole percent;
        None below PERCENT_RIGHT_MIN_ANSWERS answers (too few to mean much)."""
        if self.answer_count < self.PERCENT_RIGHT_MIN_ANSWERS:
            return None
        return round(100 * self.correct_count / self.answer_count)


class Option(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    text = models.CharField(max_length=300)
    is_correct = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["question", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["question", "text"], name="option_unique_text"),
            models.UniqueConstraint(
                fields=["question"],
                condition=Q(is_correct=True),
                name="option_one_correct_per_question",
            ),
        ]

    def __str__(self) -> str:
        return self.text


class PlayerManager(models.Manager):
    def for_user(self, user) -> Player:
        """The signed-in user's player, created on first need.

        Sign-up creates the player with the chosen display name; a user made any
        other way (createsuperuser, the admin) gets `player-<id>` until they
        change it. The one answer to "which player is this user?".
        """
        try:
            return user.player
        except self.model.DoesNotExist:
            pass
        try:
            with transaction.atomic():
                player, _ = self.get_or_create(
                    user=user, defaults={"display_name": f"player-{user.pk}"}
                )
        except IntegrityError:
            # Someone chose "player-<id>" as their display name (or a concurrent
            # request created this user's player): get it, or use a unique name.
            player, _ = self.get_or_create(
                user=user, defaults={"display_name": f"player-{user.pk}-{secrets.token_hex(3)}"}
            )
        return player


class Player(models.Model):
    """A signed-in player's profile beside Django's User."""

    HIDDEN_NAME = "Hidden player"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="player"
    )
    display_name = models.CharField(max_length=30)
    display_name_hidden = models.BooleanField(
        default=False,
        help_text="Hide an offensive display name: boards show 'Hidden player' instead.",
    )
    watched_through = models.PositiveSmallIntegerField(
        choices=SpoilerLevel.choices, null=True, blank=True
    )
    # The start form's last choices, preselected next time (like watched_through).
    difficulty = models.CharField(
        max_length=10, choices=QuizDifficulty.choices, blank=True, help_text="Last chosen."
    )
    quiz_length = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Last chosen.")
    # Skill learnt from answers in finished quizzes (quiz.rating).
    rating = models.FloatField(default=0.0, editable=False)
    rated_answers = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PlayerManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                models.functions.Lower("display_name"), name="player_display_name_ci_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def public_name(self) -> str:
        return self.HIDDEN_NAME if self.display_name_hidden else self.display_name


class QuizAttemptQuerySet(models.QuerySet):
    def finished(self):
        return self.filter(status=QuizAttempt.Status.FINISHED)

    def counted(self):
        """Finished, not voided, by a signed-in player (leaderboards also check the format)."""
        return self.finished().filter(voided=False, player__isnull=False)

    def active(self):
        return self.filter(status=QuizAttempt.Status.ACTIVE)

    def daily(self, day, watched_through: int):
        return self.filter(
            mode=QuizAttempt.Mode.DAILY, daily_date=day, watched_through=watched_through
        )

    def owned_by(self, user, session_key: str | None):
        """The attempts a visitor may open: a signed-in user's own, else their session's.

        An anonymous visitor owns the attempts started under their session key
        that no player has claimed; without a session key they own none.
        """
        if user is not None and user.is_authenticated:
            return self.filter(player__user=user)
        if not session_key:
            return self.none()
        return self.filter(player__isnull=True, session_key=session_key)


class QuizAttempt(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "In progress"
        FINISHED = "finished", "Finished"
        ABANDONED = "abandoned", "Abandoned"

    class Mode(models.TextChoices):
        FREE = "free", "Free play"
        DAILY = "daily", "Daily challenge"
        EPISODE = "episode", "Just watched an episode"
        ADAPTIVE = "adaptive", "Adaptive"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    player = models.ForeignKey(
        Player, null=True, blank=True, on_delete=models.CASCADE, related_name="attempts"
    )
    session_key = models.CharField(max_length=64, blank=True, db_index=True)
    bank = models.ForeignKey(Bank, on_delete=models.PROTECT, related_name="attempts")
    difficulty = models.CharField(max_length=10, choices=QuizDifficulty.choices)
    watched_through = models.PositiveSmallIntegerField(choices=SpoilerLevel.choices)
    category = models.CharField(max_length=40, blank=True)
    length = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    score = models.PositiveIntegerField(default=0)
    correct_count = models.PositiveSmallIntegerField(default=0)
    answered_count = models.PositiveSmallIntegerField(default=0)
    seconds = models.FloatField(
        default=0, help_text="Time spent answering, measured on the server."
    )
    voided = models.BooleanField(
        default=False, help_text="A voided attempt never counts on a leaderboard."
    )
    # The format of a result: boards only compare results of one format
    # (length, difficulty, watched level, mode, timed).
    mode = models.CharField(
        max_length=10,
        choices=Mode.choices,
        default=Mode.FREE,
        help_text="How the questions were chosen: free play, the daily challenge, "
        "one episode's questions, or adaptive to the player's rating.",
    )
    timed = models.BooleanField(
        default=False, help_text="Timed mode: each question has a deadline set when it is served."
    )
    shortened = models.BooleanField(
        default=False,
        help_text="Fewer questions than asked for, because the pool was too small: never ranks.",
    )
    daily_date = models.DateField(
        null=True, blank=True, help_text="The UTC day of a daily challenge (empty otherwise)."
    )
    rated_for_player = models.BooleanField(
        default=False,
        editable=False,
        help_text="Its answers moved the player's rating when it finished (it was played "
        "signed in). A quiz claimed by a new account after it finished was not.",
    )
    share_token = models.CharField(
        max_length=24,
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text="Set when the quiz finishes: the public result page /r/<token>/ shows its card.",
    )

    objects = QuizAttemptQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(watched_through__gte=0) & Q(watched_through__lte=6),
                name="attempt_watched_through_0_6",
            ),
            models.CheckConstraint(
                condition=Q(answered_count__lte=models.F("length")),
                name="attempt_answered_within_length",
            ),
            models.CheckConstraint(
                condition=Q(mode="daily", daily_date__isnull=False)
                | (~Q(mode="daily") & Q(daily_date__isnull=True)),
                name="attempt_daily_date_iff_daily",
            ),
            # One daily challenge per day and watched level for a player, and
            # one for an anonymous browser: a second start finds the first.
            models.UniqueConstraint(
                fields=["player", "daily_date", "watched_through"],
                condition=Q(mode="daily", player__isnull=False),
                name="attempt_one_daily_per_player",
            ),
            models.UniqueConstraint(
                fields=["session_key", "daily_date", "watched_through"],
                condition=Q(mode="daily", player__isnull=True),
                name="attempt_one_daily_per_browser",
            ),
        ]
        indexes = [
            # The daily board: one day and level, best first.
            models.Index(
                fields=["daily_date", "watched_through", "-score", "seconds"],
                condition=Q(mode="daily", status="finished"),
                name="attempt_daily_board_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Quiz {self.public_id} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("quiz:play", args=[self.public_id])

    @property
    def is_finished(self) -> bool:
        return self.status == self.Status.FINISHED


class AttemptQuestion(models.Model):
    """One question of an attempt, as it was served: wording, options and answer.

    The snapshot keeps past results stable when an admin later edits the
    question. Option keys are random per attempt, so they reveal nothing.
    """

    attempt = models.ForeignKey(QuizAttempt, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    question = models.ForeignKey(
        Question, null=True, on_delete=models.SET_NULL, related_name="served"
    )
    text = models.TextField()
    kind = models.CharField(max_length=10, choices=Question.Kind.choices)
    difficulty = models.CharField(max_length=10, choices=Difficulty.choices)
    category = models.CharField(max_length=40, blank=True)
    spoiler_level = models.PositiveSmallIntegerField()
    # [{"key": "...", "text": "..."}, ...] in the order shown to the player.
    options = models.JSONField()
    correct_key = models.CharField(max_length=20)
    explanation = models.TextField(blank=True)
    served_at = models.DateTimeField(null=True, blank=True)
    deadline = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Timed mode: set when the question is served; a later answer scores 0.",
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    chosen_key = models.CharField(max_length=20, blank=True)
    is_correct = models.BooleanField(null=True)
    points = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "position"], name="item_unique_position"),
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}#{self.position}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None

    @property
    def difficulty_label(self) -> str:
        """get_difficulty_display() without its per-call partialmethod and flatchoices
        dictionary: the question card shows it on every question page and answer."""
        return _DIFFICULTY_LABELS.get(self.difficulty, self.difficulty)

    @property
    def category_label(self) -> str:
        """The category as the card's badge shows it (Django's |capfirst, without the
        filter's per-call string checks)."""
        category = self.category or ""
        return category[:1].upper() + category[1:]

    def option_text(self, key: str) -> str:
        for option in self.options:
            if option["key"] == key:
                return option["text"]
        return ""

    @property
    def timed_out(self) -> bool:
        return self.is_answered and not self.chosen_key

    @property
    def correct_text(self) -> str:
        return self.option_text(self.correct_key)

    @property
    def chosen_text(self) -> str:
        return self.option_text(self.chosen_key)


class ReportManager(models.Manager):
    def file_once(self, item: AttemptQuestion, *, player, reason: str, note: str) -> bool:
        """Store a report on the answered question `item`, unless one exists; True if stored."""
        with transaction.atomic():
            # Two submits at once: the row lock (PostgreSQL) or the write lock
            # (SQLite, IMMEDIATE) lets one check-and-insert through at a time.
            list(AttemptQuestion.objects.select_for_update().filter(pk=item.pk).values_list("pk"))
            if self.filter(item=item).exists():
                return False
            self.create(
                question_id=item.question_id, item=item, player=player, reason=reason, note=note
            )
        return True


class Report(models.Model):
    class Reason(models.TextChoices):
        WRONG_ANSWER = "wrong_answer", "The answer is wrong"
        SPOILER = "spoiler", "This spoiled me"
        TYPO = "typo", "Typo or wording"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="reports")
    item = models.ForeignKey(
        AttemptQuestion, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    player = models.ForeignKey(Player, null=True, blank=True, on_delete=models.SET_NULL)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    note = models.TextField(blank=True, max_length=1000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    objects = ReportManager()

    class Meta:
        ordering = ["status", "-created_at"]

    def __str__(self) -> str:
        return f"{self.get_reason_display()}: {self.question}"


class LeaderboardEntry(models.Model):
    """A player's best counted quiz on one leaderboard slice (the database backend's rank table).

    Refreshed on write by quiz.leaderboard, never edited by hand: one row per
    (board, player), where board names the period and its start, then the quiz
    format (mode, length, difficulty, spoiler level, timed), e.g.
    "week:2026-03-09:free:10:easy:3:0" or "all:-:free:5:mixed:6:1".
    sort_key orders rows best first (higher score, then fewer milliseconds), so
    a player's rank is an index-only count of the rows with a smaller sort_key.
    """

    board = models.CharField(max_length=80)
    player = models.ForeignKey(Player, on_delete=models.CASCADE, related_name="+")
    attempt = models.ForeignKey(QuizAttempt, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveIntegerField()
    seconds = models.FloatField()
    correct_count = models.PositiveSmallIntegerField()
    length = models.PositiveSmallIntegerField()
    finished_at = models.DateTimeField()
    sort_key = models.BigIntegerField(help_text="-score * 2**32 + milliseconds: smaller is better.")

    class Meta:
        verbose_name_plural = "leaderboard entries"
        constraints = [
            models.UniqueConstraint(
                fields=["board", "player"], name="leaderboard_one_row_per_player"
            ),
        ]
        indexes = [
            models.Index(
                fields=["board", "sort_key", "finished_at", "player"], name="leaderboard_order_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.board} #{self.player_id}: {self.score}"


class ApiTokenQuerySet(models.QuerySet):
    def idle_since(self, cutoff):
        return self.filter(last_used_at__lt=cutoff)

    def alive(self, cutoff):
        return self.filter(last_used_at__gte=cutoff)


class ApiToken(models.Model):
    """A session token of the public Open Trivia DB-compatible API (/api/).

    It remembers the questions it has been served so that none comes twice
    until the client resets it. It lives in the database, so every app server
    process sees the same tokens; one unused for API_TOKEN_IDLE_SECONDS is gone.
    """

    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(default=timezone.now, db_index=True)
    served = models.ManyToManyField(Question, blank=True, related_name="+")

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "API session token"

    def __str__(self) -> str:
        return f"{self.token[:8]}…"


class Counter(models.Model):
    """A shared integer counter (rate limits, login failures) kept by quiz.cache.CounterCache.

    Written only through single-statement upserts, so concurrent processes
    never lose a count; expired rows are deleted by clean_up_quizzes.
    """

    key = models.CharField(max_length=250, primary_key=True)
    value = models.BigIntegerField()
    expires_at = models.FloatField(null=True, help_text="Unix time; empty: never expires.")

    def __str__(self) -> str:
        return f"{self.key} = {self.value}"
