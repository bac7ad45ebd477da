"""Forms: every piece of player input is validated here before it reaches the domain."""

from __future__ import annotations

import copy
import re
import unicodedata
from datetime import timedelta

from confusable_homoglyphs import confusables
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.widgets import ChoiceWidget
from django.utils import timezone

from quiz import play, prepared
from quiz.leaderboard import DIFFICULTIES, LENGTHS, PERIODS, Board
from quiz.models import Bank, Category, Player, QuizDifficulty, Report, SpoilerLevel
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


# The counts change only when the bank is edited, but the home page asks for
# them on every visit and on every change of level or difficulty: one GROUP BY,
# kept in the shared cache for a minute.
CATEGORIES_CACHE_SECONDS = 60


NAMES_KEY = "category-names"


def category_counts_and_names(
    bank: Bank, difficulty: str, watched_through: int
) -> tuple[dict[str, int], dict[str, str]]:
    """How many questions each category offers for these choices, and the categories'
    names: one cache read for both (without Redis each key is a database query)."""
    counts_key = f"category-counts:{bank.pk}:{difficulty}:{watched_through}"
    found = cache.get_many([counts_key, NAMES_KEY])
    counts = found.get(counts_key)
    if counts is None:
        counts = play.category_counts(bank, difficulty, watched_through)
        cache.set(counts_key, counts, CATEGORIES_CACHE_SECONDS)
    names = found.get(NAMES_KEY)
    if names is None:
        names = Category.objects.names()
        cache.set(NAMES_KEY, names, CATEGORIES_CACHE_SECONDS)
    return counts, names


# --- Forms built on every page view: their fields copied cheaply ---------------
#
# Django's BaseForm.__init__ deep-copies every field of the class for each form
# instance: the field, its widget, its attrs and its choices (every tuple of
# every choice). For the start form that was 0.37 ms of CPU per home page,
# more than a whole question page. A choice list here is never changed in
# place (a form that needs other choices assigns a new list, as StartQuizForm
# does for its categories), so the copies below share it; everything a form
# instance may change (the field, its widget and the widget's attrs, error
# messages, validators) is still its own. Fields or widgets with their own
# copying rules (a model choice field's queryset, multi-widgets) are deep-copied
# as Django does.

_PLAIN_FIELD_COPY = {forms.Field.__deepcopy__, forms.ChoiceField.__deepcopy__}
_PLAIN_WIDGET_COPY = {forms.Widget.__deepcopy__, ChoiceWidget.__deepcopy__}


def _copy_field(field: forms.Field, memo: dict) -> forms.Field:
    widget = field.widget
    if (
        type(field).__deepcopy__ not in _PLAIN_FIELD_COPY
        or type(widget).__deepcopy__ not in _PLAIN_WIDGET_COPY
    ):
        return copy.deepcopy(field, memo)
    # copy.copy() of a plain object, without its generic (pickle protocol) machinery.
    result = object.__new__(type(field))
    result.__dict__.update(field.__dict__)
    memo[id(field)] = result
    result.widget = object.__new__(type(widget))
    result.widget.__dict__.update(widget.__dict__)
    result.widget.attrs = widget.attrs.copy()
    result.error_messages = field.error_messages.copy()
    result.validators = field.validators[:]
    return result


class _CheaplyCopiedFields(dict):
    """A form class's base_fields whose per-instance deep copy shares the choice lists."""

    def __deepcopy__(self, memo):
        return {name: _copy_field(field, memo) for name, field in self.items()}


def fields_copied_cheaply(form_class):
    """Class decorator: the form's instances copy its fields as _copy_field does."""
    form_class.base_fields = _CheaplyCopiedFields(form_class.base_fields)
    return form_class


@fields_copied_cheaply
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
    category = forms.ChoiceField(
        label="Category (optional)",
        required=False,
        help_text="Only categories with enough questions for your choices are listed.",
        error_messages={
            "invalid_choice": "That category has too few questions for these choices: "
            "pick another one or any category."
        },
    )
    bank = forms.ModelChoiceField(
        queryset=Bank.objects.filter(is_published=True), required=False, empty_label=None
    )
    timed = forms.BooleanField(
        label="Timed",
        required=False,
        help_text="20 seconds per question plus reading time.",
    )
    adaptive = forms.BooleanField(
        label="Matched to me",
        required=False,
        help_text="questions at your level, not ranked.",
    )
    allow_shorter = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The field's queryset, read with SQL compiled once (quiz.prepared): every home page.
        banks = prepared.published_banks.all()
        self._banks = tuple((bank.pk, str(bank)) for bank in banks)
        self.show_bank = len(banks) > 1
        if banks and not self.is_bound:
            self.fields["bank"].initial = banks[0].pk
        self.fields["category"].choices = self._category_choices(banks)

    @property
    def memo_key(self):
        """Everything the unbound form's fields show (values, choices, banks), for {% memo %};
        None for a bound form, whose input and errors are the visitor's own."""
        if self.is_bound:
            return None
        values = tuple(
            (name, str(self.initial.get(name, field.initial)))
            for name, field in self.fields.items()
        )
        return ("start", values, tuple(self.fields["category"].choices), self._banks)

    def _chosen(self, name):
        """The value a field has now: submitted, else initial; None if it is not a valid one."""
        field = self.fields[name]
        raw = self.data.get(name) if self.is_bound else self.initial.get(name, field.initial)
        try:
            return field.clean(raw)
        except ValidationError:
            return None

    def _category_choices(self, banks):
        """Categories that can make a quiz of the chosen length, with their question counts.

        With allow_shorter (the player accepted a shorter quiz) a category needs one question.
        """
        by_pk = {bank.pk: bank for bank in banks}
        bank_value = self.data.get("bank") if self.is_bound else self.fields["bank"].initial
        try:
            bank = by_pk.get(int(bank_value)) if bank_value not in (None, "") else None
        except (TypeError, ValueError):
            bank = None
        bank = bank or (banks[0] if banks else None)
        # A select shows its first choice when nothing is remembered: "Not started".
        watched = self._chosen("watched_through")
        watched = 0 if watched is None else watched
        difficulty = self._chosen("difficulty") or QuizDifficulty.MIXED
        if self._chosen("adaptive"):
            difficulty = QuizDifficulty.MIXED
        length = self._chosen("length") or 10
        if self.is_bound and self.data.get("allow_shorter"):
            length = 1
        if bank is None:
            return [("", "Any category")]
        counts, names = category_counts_and_names(bank, difficulty, watched)
        offered = sorted(
            (names.get(slug) or Category.name_for(slug), slug, n)
            for slug, n in counts.items()
            if slug and n >= length
        )
        total = sum(counts.values())
        return [("", f"Any category ({total} question{'s' if total != 1 else ''})")] + [
            (slug, f"{name} ({n} question{'s' if n != 1 else ''})") for name, slug, n in offered
        ]

    def clean_bank(self):
        bank = self.cleaned_data.get("bank")
        if bank is None:
            bank = Bank.objects.filter(is_published=True).first()
            if bank is None:
                raise ValidationError("There is no question bank to play yet.")
        return bank


@fields_copied_cheaply
class EpisodeQuizForm(forms.Form):
    """ "I just watched episode k": a short quiz on what episode k revealed."""

    episode = forms.TypedChoiceField(
        label="I just watched",
        choices=[(k, f"Episode {k}") for k in range(1, 7)],
        coerce=int,
    )

    @property
    def memo_key(self):
        """What the unbound form shows, for {% memo %}; None when bound (it may carry errors)."""
        if self.is_bound:
            return None
        return ("episode", str(self.initial.get("episode", self.fields["episode"].initial)))


@fields_copied_cheaply
class DailyForm(forms.Form):
    watched_through = forms.TypedChoiceField(
        label="How far have you watched?", choices=WATCHED_CHOICES, coerce=int
    )


@fields_copied_cheaply
class RaiseWatchedForm(forms.Form):
    watched_through = forms.TypedChoiceField(choices=WATCHED_CHOICES, coerce=int)


@fields_copied_cheaply
class AnswerForm(forms.Form):
    option = forms.CharField(max_length=20, error_messages={"required": "Please choose an answer."})


class ReportForm(forms.ModelForm):
    # A plain choice field: the model field's blank "---------" choice would be
    # a pre-ticked radio that can only fail. The template renders the inputs.
    reason = forms.ChoiceField(
        choices=Report.Reason.choices,
        error_messages={"required": "Choose what is wrong with the question."},
    )

    class Meta:
        model = Report
        fields = ["reason", "note"]
        labels = {"note": "Anything to add? (optional)"}

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


# Names the boards use themselves: nobody may look like the moderation placeholder.
RESERVED_NAMES = ("hiddenplayer",)


def name_skeleton(name: str) -> str:
    """What a name looks like, for comparing: look-alike letters from other
    alphabets (Cyrillic "а", Greek "ο") become the Latin letter they imitate,
    accents are dropped, case and punctuation ignored (after Unicode TR39's skeleton)."""
    letters = []
    for char in name:
        found = not char.isascii() and confusables.is_confusable(char, preferred_aliases=["latin"])
        latin = [h["c"] for h in found[0]["homoglyphs"] if h["c"].isascii()] if found else []
        letters.append(latin[0] if latin else char)
    plain = unicodedata.normalize("NFKD", "".join(letters))
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", "", plain.casefold())


def validate_display_name(value: str) -> str:
    name = unicodedata.normalize("NFKC", value).strip()
    if not 3 <= len(name) <= 30:
        raise ValidationError("A display name has 3 to 30 characters.")
    if not DISPLAY_NAME_RE.match(name) or "  " in name:
        raise ValidationError(
            "Use letters, digits, spaces and . _ - ' only, starting with a letter or digit."
        )
    if confusables.is_dangerous(name):
        raise ValidationError(
            "Please use letters from one alphabet: this name mixes look-alike letters."
        )
    skeleton = name_skeleton(name)
    if skeleton in RESERVED_NAMES or any(part in skeleton for part in DENIED_NAME_PARTS):
        raise ValidationError("Please choose another display name.")
    return name


# A second submit of the same sign-up within this time logs the player in.
JUST_CREATED = timedelta(minutes=2)


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
        # Hashing the password (a third of a second) happens here, before the
        # transaction: on SQLite a write transaction holds every writer's lock.
        user = super().save(commit=False)
        user.email = self.cleaned_data.get("email", "")
        if commit:
            with transaction.atomic():
                user.save()
                Player.objects.create(user=user, display_name=self.cleaned_data["display_name"])
        return user

    def account_just_created(self):
        """The account these very details created moments ago (a double-clicked
        sign-up), or None. The password must match: this is a log-in."""
        User = get_user_model()
        username = User.normalize_username(str(self.data.get("username", "")))
        display_name = unicodedata.normalize("NFKC", str(self.data.get("display_name", ""))).strip()
        if "\x00" in username + display_name:
            # The raw input, not validated: no account has a NUL in its names,
            # and PostgreSQL refuses one in a query parameter.
            return None
        user = (
            User.objects.filter(
                username=username,
                date_joined__gte=timezone.now() - JUST_CREATED,
                player__display_name__iexact=display_name,
            )
            .select_related("player")
            .first()
        )
        if user is not None and user.check_password(str(self.data.get("password1", ""))):
            return user
        return None


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


@fields_copied_cheaply
class BoardForm(forms.Form):
    """The leaderboard filters: a period and one quiz format (boards never mix formats).

    A filter left out or empty takes the viewer's default (see DEFAULTS and
    `defaults`), so the selects always show the board that is shown; an
    unknown value is an error.
    """

    DEFAULTS = {
        "period": "all",
        "length": "10",
        "difficulty": QuizDifficulty.MIXED,
        "watched": str(SpoilerLevel.FINALE),
        "timed": "0",
    }

    period = forms.ChoiceField(
        choices=PERIODS.items(),
        error_messages={"invalid_choice": "Unknown period “%(value)s”: choose all, week or today."},
    )
    length = forms.TypedChoiceField(
        label="Questions",
        choices=[(str(n), f"{n} questions") for n in LENGTHS],
        coerce=int,
        error_messages={
            "invalid_choice": "Unknown quiz length “%(value)s”: choose 5, 10 or 20 questions."
        },
    )
    difficulty = forms.ChoiceField(
        choices=DIFFICULTIES.items(),
        error_messages={
            "invalid_choice": "Unknown difficulty “%(value)s”: choose easy, medium, hard or mixed."
        },
    )
    watched = forms.TypedChoiceField(
        label="Spoiler level",
        choices=[(str(v), label) for v, label in SpoilerLevel.choices],
        coerce=int,
        error_messages={
            "invalid_choice": "Unknown spoiler level “%(value)s”: choose an episode from 0 to 6."
        },
    )
    timed = forms.TypedChoiceField(
        label="Clock",
        choices=[("0", "Untimed"), ("1", "Timed")],
        coerce=lambda value: value == "1",
        error_messages={"invalid_choice": "Unknown clock “%(value)s”: choose 0 (untimed) or 1."},
    )

    # valid_board's answers by memo_key (a Board is immutable): only valid choices are kept.
    _valid: dict[tuple, tuple[Board, tuple]] = {}

    def __init__(self, data, *, defaults: dict | None = None):
        """`data` is the GET query; `defaults` the viewer's last choices (invalid ones ignored)."""
        super().__init__(self.chosen(data, defaults))

    @classmethod
    def chosen(cls, data, defaults: dict | None = None) -> dict[str, str]:
        """The values the form is bound to: each filter from `data`, else the default."""
        keys = cls._choice_keys()
        chosen = dict(cls.DEFAULTS)
        for name, value in (defaults or {}).items():
            value = "" if value is None else str(value)
            if name in chosen and value in keys[name]:
                chosen[name] = value
        # `in` first: QueryDict.get() raises and catches a KeyError for each filter left out.
        return {name: (data.get(name) if name in data else None) or chosen[name] for name in keys}

    @classmethod
    def _choice_keys(cls) -> dict[str, frozenset[str]]:
        """Each field's choice values as submitted (a select's option values), in field order."""
        keys = cls.__dict__.get("_keys")
        if keys is None:
            keys = {
                name: frozenset(str(value) for value, _ in field.choices)
                for name, field in cls.base_fields.items()
            }
            cls._keys = keys
        return keys

    @classmethod
    def valid_board(cls, data, *, defaults: dict | None = None) -> tuple[Board, tuple] | None:
        """The board and memo_key a valid BoardForm(data, defaults=...) gives, without
        building the form (a form deep-copies its fields); None when a value is not
        one of its field's choices: build the form then, for its errors.

        Every field is a choice field, so validity is membership in its choices.
        """
        values = cls.chosen(data, defaults)
        memo_key = ("board", tuple(values.items()))
        found = cls._valid.get(memo_key)  # one entry per valid choice of filters at most
        if found is not None:
            return found
        keys = cls._choice_keys()
        if any(value not in keys[name] for name, value in values.items()):
            return None
        board = Board(
            values["period"],
            length=int(values["length"]),
            difficulty=values["difficulty"],
            watched_through=int(values["watched"]),
            timed=values["timed"] == "1",
        )
        cls._valid[memo_key] = found = (board, memo_key)
        return found

    @property
    def memo_key(self):
        """The submitted choices, for {% memo %} of the filters' HTML; None when invalid."""
        if not self.is_bound or self.errors:
            return None
        return ("board", tuple((name, str(self.data.get(name, ""))) for name in self.fields))

    def board(self) -> Board:
        data = self.cleaned_data
        return Board(
            data["period"],
            length=data["length"],
            difficulty=data["difficulty"],
            watched_through=data["watched"],
            timed=data["timed"],
        )
