"""Forms: every piece of player input is validated here before it reaches the domain."""

from __future__ import annotations

import re
import unicodedata

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.core.cache import cache
from django.core.exceptions import ValidationError

from quiz.leaderboard import DIFFICULTIES, PERIODS, Board
from quiz.models import Bank, Player, Question, QuizDifficulty, Report, SpoilerLevel
from quiz.play import QUIZ_LENGTHS

WATCHED_CHOICES = [
    (0, "Not started"),
    (1, "Episode 1"),
    (2, "Episode 2"),
    (3, "Episode 3"),
    (4, "Episode 4"),
    (5, "Episode 5"),
    (6, "Episode 6 — finished"),
]


# The categories change only when the bank is edited, but the home page and
# every quiz start ask for them: a DISTINCT over the whole bank each time. They
# are kept in the shared cache for a minute instead.
CATEGORIES_CACHE_SECONDS = 60


def published_categories(bank: Bank | None = None) -> list[str]:
    key = f"published-categories:{bank.pk if bank is not None else 'all'}"
    categories = cache.get(key)
    if categories is None:
        questions = Question.objects.published().exclude(category="")
        if bank is not None:
            questions = questions.in_bank(bank)
        categories = sorted(set(questions.values_list("category", flat=True).distinct()))
        cache.set(key, categories, CATEGORIES_CACHE_SECONDS)
    return categories


class StartQuizForm(forms.Form):
    watched_through = forms.TypedChoiceField(
        label="How far have you watched?",
        choices=WATCHED_CHOICES,
        coerce=int,
        help_text="Nothing from a later episode will reach you: not in a question, an option or an explanation.",
    )
    difficulty = forms.ChoiceField(
        choices=QuizDifficulty.choices, initial=QuizDifficulty.MIXED, widget=forms.RadioSelect
    )
    length = forms.TypedChoiceField(
        label="Questions",
        choices=[(n, str(n)) for n in QUIZ_LENGTHS],
        coerce=int,
        initial=10,
        widget=forms.RadioSelect,
    )
    category = forms.ChoiceField(label="Category (optional)", required=False)
    bank = forms.ModelChoiceField(
        queryset=Bank.objects.filter(is_published=True), required=False, empty_label=None
    )
    timed = forms.BooleanField(
        label="Timed",
        required=False,
        help_text="20 seconds per question plus time to read it; a late answer scores nothing.",
    )
    allow_shorter = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "Any category")] + [
            (c, c.replace("-", " ").capitalize()) for c in published_categories()
        ]
        banks = list(self.fields["bank"].queryset)
        self.show_bank = len(banks) > 1
        if banks and not self.is_bound:
            self.fields["bank"].initial = banks[0].pk

    def clean_bank(self):
        bank = self.cleaned_data.get("bank")
        if bank is None:
            bank = Bank.objects.filter(is_published=True).first()
            if bank is None:
                raise ValidationError("There is no question bank to play yet.")
        return bank


class EpisodeQuizForm(forms.Form):
    """ "I just watched episode k": a short quiz on what episode k revealed."""

    episode = forms.TypedChoiceField(
        label="I just watched",
        choices=[(k, f"Episode {k}") for k in range(1, 7)],
        coerce=int,
    )


class DailyForm(forms.Form):
    watched_through = forms.TypedChoiceField(
        label="How far have you watched?", choices=WATCHED_CHOICES, coerce=int
    )


class RaiseWatchedForm(forms.Form):
    watched_through = forms.TypedChoiceField(choices=WATCHED_CHOICES, coerce=int)


class AnswerForm(forms.Form):
    option = forms.CharField(max_length=20, error_messages={"required": "Please choose an answer."})


class ReportForm(forms.ModelForm):
    class Meta:
        model = Report
        fields = ["reason", "note"]
        widgets = {"reason": forms.RadioSelect, "note": forms.Textarea(attrs={"rows": 3})}
        labels = {"reason": "What is wrong?", "note": "Anything to add? (optional)"}

    # The blank form is the same on every feedback page, and rendering its
    # widget templates was a quarter of an answer's CPU time: render it once
    # per process. A bound form (with the player's input or errors) renders as usual.
    _blank_as_p = None

    def as_p(self):
        if self.is_bound:
            return super().as_p()
        if ReportForm._blank_as_p is None:
            ReportForm._blank_as_p = super().as_p()
        return ReportForm._blank_as_p

    def clean_note(self):
        note = self.cleaned_data.get("note", "")
        if len(note) > 1000:
            raise ValidationError("Please keep the note under 1000 characters.")
        return note


# --- accounts ----------------------------------------------------------------

DISPLAY_NAME_RE = re.compile(r"^[\w][\w .'\-]{1,28}[\w.]$")
# A small deny list: impersonation and the obvious slurs' stems. Admins can
# hide anything that slips through.
DENIED_NAME_PARTS = (
    "admin",
    "moderator",
    "staff",
    "netflix",
    "official",
    "nigg",
    "fag",
    "retard",
    "whore",
    "slut",
    "cunt",
    "rapist",
    "hitler",
    "nazi",
)


def validate_display_name(value: str) -> str:
    name = unicodedata.normalize("NFKC", value).strip()
    if not 3 <= len(name) <= 30:
        raise ValidationError("A display name has 3 to 30 characters.")
    if not DISPLAY_NAME_RE.match(name) or "  " in name:
        raise ValidationError(
            "Use letters, digits, spaces and . _ - ' only, starting with a letter or digit."
        )
    folded = re.sub(r"[\W_]+", "", name.casefold())
    if any(part in folded for part in DENIED_NAME_PARTS):
        raise ValidationError("Please choose another display name.")
    return name


class SignUpForm(UserCreationForm):
    display_name = forms.CharField(
        max_length=30, help_text="Shown on the leaderboards. 3–30 letters, digits, spaces, . _ - '"
    )
    email = forms.EmailField(
        required=False, help_text="Optional: only used to reset your password."
    )

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "display_name", "email")

    def clean_display_name(self):
        name = validate_display_name(self.cleaned_data["display_name"])
        if Player.objects.filter(display_name__iexact=name).exists():
            raise ValidationError("That display name is taken.")
        return name

    def save(self, commit=True):
        user = super().save(commit=False)
        user.email = self.cleaned_data.get("email", "")
        if commit:
            user.save()
            Player.objects.create(user=user, display_name=self.cleaned_data["display_name"])
        return user


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Type your password to confirm. Your scores leave the leaderboards.",
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError("That password is not right.")
        return password


class BoardForm(forms.Form):
    """The leaderboard filters; an empty value means the default (the first choice)."""

    period = forms.ChoiceField(
        choices=PERIODS.items(),
        required=False,
        error_messages={"invalid_choice": "Unknown period “%(value)s”: choose all, week or today."},
    )
    difficulty = forms.ChoiceField(
        choices=DIFFICULTIES.items(),
        required=False,
        error_messages={
            "invalid_choice": "Unknown difficulty “%(value)s”: choose all, easy, medium, hard or mixed."
        },
    )
    watched = forms.ChoiceField(
        label="Spoiler level",
        choices=[
            ("all", "Any spoiler level"),
            *((str(v), label) for v, label in SpoilerLevel.choices),
        ],
        required=False,
        error_messages={
            "invalid_choice": "Unknown spoiler level “%(value)s”: choose all or an episode from 0 to 6."
        },
    )

    def board(self) -> Board:
        data = self.cleaned_data
        watched = data.get("watched") or "all"
        return Board(
            period=data.get("period") or "all",
            difficulty=data.get("difficulty") or "all",
            watched_through=None if watched == "all" else int(watched),
        )
