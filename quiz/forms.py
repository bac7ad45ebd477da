"""Forms: every piece of player input is validated here before it reaches the domain."""

from __future__ import annotations

import copy
import re
import time
import unicodedata
from collections.abc import Callable
from datetime import timedelta
from typing import Any, NamedTuple

from confusable_homoglyphs import confusables
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.forms.utils import ErrorList
from django.forms.widgets import ChoiceWidget
from django.utils import timezone

from quiz import play, prepared
from quiz.leaderboard import DIFFICULTIES, LENGTHS, PERIODS, Board
from quiz.models import Bank, Category, Player, Question, QuizDifficulty, Report, SpoilerLevel
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
# The shared cache holds (computed_at, value) pairs (version 1 held the value alone).
CATEGORIES_CACHE_VERSION = 2

NAMES_KEY = "category-names"

# Each process also keeps the pairs it read or computed, until the same minute is up:
# a copy is used only while time.time() < computed_at + CATEGORIES_CACHE_SECONDS,
# and a pair older than that in the shared cache is computed again. So no page
# shows counts or names older than a minute, as with the shared cache alone (an
# edit in the admin shows within the minute, as before), but the home page reads
# the shared cache (a database query without Redis, a round trip with it) once a
# minute per process and key instead of on every visit. The process's copies
# are dropped when it saves or deletes a bank, category or question: the shared
# cache answers again, so no copy outlives the rows it was computed from when
# they are rolled back (as every test's are, with the database cache).
# Keys: banks x 4 difficulties x 7 levels, + 1.
_KEPT_ENTRIES = 1024
_kept: dict[str, tuple[float, Any]] = {}


def forget_kept_categories(**kwargs) -> None:
    """Drop this process's copies (a signal receiver: a bank, category or question changed)."""
    _kept.clear()


for _model in (Bank, Category, Question):
    for _signal in (post_save, post_delete):
        _signal.connect(
            forget_kept_categories,
            sender=_model,
            dispatch_uid=f"quiz.forms.forget_kept_categories.{_model.__name__}",
        )


def _minute_fresh(computers: dict[str, Callable[[], Any]]) -> dict[str, Any]:
    """Each key's value, at most CATEGORIES_CACHE_SECONDS old: this process's copy,
    else the shared cache's (one read for every key missing here), else computed
    (and shared)."""
    now = time.time()
    values, missing = {}, []
    for key in computers:
        kept = _kept.get(key)
        if kept is not None and now < kept[0]:
            values[key] = kept[1]
        else:
            missing.append(key)
    if not missing:
        return values
    found = cache.get_many(missing, version=CATEGORIES_CACHE_VERSION)
    for key in missing:
        pair = found.get(key)
        if pair is None or not now < pair[0] + CATEGORIES_CACHE_SECONDS:
            pair = (time.time(), computers[key]())  # the time before the query
            cache.set(key, pair, CATEGORIES_CACHE_SECONDS, version=CATEGORIES_CACHE_VERSION)
        computed_at, values[key] = pair
        if len(_kept) >= _KEPT_ENTRIES:
            _kept.clear()
        _kept[key] = (computed_at + CATEGORIES_CACHE_SECONDS, values[key])
    return values


def category_counts_and_names(
    bank: Bank, difficulty: str, watched_through: int
) -> tuple[dict[str, int], dict[str, str]]:
    """How many questions each category offers for these choices, and the categories'
    names, each at most a minute old (see _minute_fresh): usually no query at all,
    else one cache read for both (without Redis each key is a database query)."""
    counts_key = f"category-counts:{bank.pk}:{difficulty}:{watched_through}"
    found = _minute_fresh(
        {
            counts_key: lambda: play.category_counts(bank, difficulty, watched_through),
            NAMES_KEY: Category.objects.names,
        }
    )
    return found[counts_key], found[NAMES_KEY]


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


class MemoisedForm:
    """An unbound form whose fields' HTML the template memoises by `memo_key` (and other
    `*_memo_key`s for parts of it): the keys are known without the form, which is built
    only when something else is asked of it (on a memo miss, to render its fields).
    Attributes and items are the form's, so a template renders it as it renders the
    form itself.
    """

    is_bound = False

    def __init__(self, build: Callable[[], forms.Form], **memo_keys: tuple):
        self.__dict__.update(memo_keys)
        self._build = build
        self._form = None

    @property
    def form(self) -> forms.Form:
        if self._form is None:
            self._form = self._build()
        return self._form

    def non_field_errors(self):
        """An unbound form nobody has touched yet has none (the form's own once built)."""
        if self._form is None:
            return ErrorList(error_class="nonfield")
        return self._form.non_field_errors()

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.form, name)

    def __getitem__(self, name):
        return self.form[name]

    def __iter__(self):
        return iter(self.form)


class StartOffer(NamedTuple):
    """What the start form offers for one input: the published banks (by name), and
    the category choices for the chosen bank, level, difficulty and length."""

    banks: list[Bank]
    category_choices: tuple[tuple[str, str], ...]

    def memo_key(self, initial: dict) -> tuple:
        """Everything an unbound start form with this initial shows, for {% memo %}.

        Each value as text, as the widgets compare it, except None, True and False
        (_as_shown): a checkbox or hidden input shows None and "None" differently, and
        a query parameter can be "None", so str() alone would let one visitor's URL
        choose the HTML other visitors get.
        """
        first_bank = self.banks[0].pk if self.banks else None
        values = tuple(
            [
                (name, _as_shown(initial.get(name, first_bank if name == "bank" else default)))
                for name, default in _START_INITIALS
            ]
        )
        banks = tuple([(bank.pk, str(bank)) for bank in self.banks])
        return ("start", values, self.category_choices, banks)

    def category_memo_key(self, initial: dict) -> tuple:
        """What an unbound form's category field shows (the htmx refresh renders it alone)."""
        return ("category", _as_shown(initial.get("category")), self.category_choices)


def _as_shown(value) -> str | bool | None:
    """The value as a widget compares it: text, but None, True and False as themselves
    (a checkbox shows True and "True" differently)."""
    return value if value is None or isinstance(value, bool) else str(value)


class PublishedBankField(forms.ChoiceField):
    """A published bank, chosen among those the form read (`set_banks`); cleans to the Bank.

    What ModelChoiceField(Bank.objects.filter(is_published=True), empty_label=None) did,
    with the same options, values and messages, but without a QuerySet to clone for
    every form and a second query to find the chosen bank: the value is read as the
    ORM reads a primary key (int(), so " 1" and "01" are bank 1, as before).
    """

    default_error_messages = {
        "invalid_choice": forms.ModelChoiceField.default_error_messages["invalid_choice"]
    }

    def __init__(self, **kwargs):
        super().__init__(choices=(), **kwargs)
        self.banks: dict[int, Bank] = {}

    def set_banks(self, banks) -> None:
        """This form's choices: the published banks in their order (by name)."""
        self.banks = {bank.pk: bank for bank in banks}
        self.choices = [(bank.pk, str(bank)) for bank in banks]

    def to_python(self, value):
        if value in self.empty_values:
            return None
        ProhibitNullCharactersValidator()(value)  # its own message, as ModelChoiceField's
        try:
            return self.banks[int(value.pk if isinstance(value, Bank) else value)]
        except (KeyError, ValueError, TypeError):
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            ) from None

    def validate(self, value):
        forms.Field.validate(self, value)  # required only: to_python found the bank


# StartQuizForm._chosen's cleaned values, and _category_choices' choices (tuples) with
# the counts and names objects they were made from.
_CLEANED_ENTRIES = 1024
_CLEANED: dict[tuple, Any] = {}
_CHOICES: dict[tuple, tuple] = {}


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
    bank = PublishedBankField(required=False)
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

    def __init__(self, *args, offer: StartOffer | None = None, **kwargs):
        """`offer`: what StartQuizForm.offer() read for the same input, if the caller has it."""
        super().__init__(*args, **kwargs)
        if offer is None:
            offer = self.offer(self.data if self.is_bound else None, self.initial)
        self._offer = offer
        banks = offer.banks
        self.fields["bank"].set_banks(banks)
        self.show_bank = len(banks) > 1
        if banks and not self.is_bound:
            self.fields["bank"].initial = banks[0].pk
        self.fields["category"].choices = offer.category_choices

    @classmethod
    def unbound(cls, initial: dict) -> MemoisedForm:
        """The unbound form for these initial values, built only if its HTML is not memoised
        yet (see MemoisedForm): the banks and categories are read either way."""
        offer = cls.offer(None, initial)
        return MemoisedForm(
            lambda: cls(initial=initial, offer=offer),
            memo_key=offer.memo_key(initial),
            category_memo_key=offer.category_memo_key(initial),
        )

    @property
    def memo_key(self):
        """Everything the unbound form's fields show (values, choices, banks), for {% memo %};
        None for a bound form, whose input and errors are the visitor's own."""
        if self.is_bound:
            return None
        return self._offer.memo_key(self.initial)

    @property
    def category_memo_key(self):
        """What the unbound form's category field shows, for {% memo %}; None when bound."""
        if self.is_bound:
            return None
        return self._offer.category_memo_key(self.initial)

    @classmethod
    def offer(cls, data, initial) -> StartOffer:
        """The published banks and the categories this input can make a quiz from.

        `data`: a bound form's input, or None for an unbound form with `initial`.
        The banks are read with SQL compiled once (quiz.prepared): every home page.
        """
        query = prepared.published_banks if data is not None else prepared.published_bank_names
        banks = query.all()
        return StartOffer(banks, cls._category_choices(banks, data, initial))

    @classmethod
    def _chosen(cls, name, data, initial):
        """The value a field has now: submitted, else initial; None if it is not a valid one.

        The class's own field cleans it (cleaning changes nothing in a field, and its
        choices are fixed), so each (field, value) is cleaned once per process; text
        longer than any valid value (a visitor's query) is cleaned but not kept."""
        field = cls.base_fields[name]
        raw = data.get(name) if data is not None else initial.get(name, field.initial)
        key = (name, type(raw), raw)  # the type too: 1 == True == 1.0
        try:
            return _CLEANED[key]
        except KeyError:
            pass
        except TypeError:  # not hashable (a list): cleaned, not kept
            key = None
        try:
            value = field.clean(raw)
        except ValidationError:
            value = None
        if key is not None and not (isinstance(raw, str) and len(raw) > 32):
            if len(_CLEANED) >= _CLEANED_ENTRIES:
                _CLEANED.clear()
            _CLEANED[key] = value
        return value

    @classmethod
    def _category_choices(cls, banks, data, initial):
        """Categories that can make a quiz of the chosen length, with their question counts.

        With allow_shorter (the player accepted a shorter quiz) a category needs one question.
        """
        by_pk = {bank.pk: bank for bank in banks}
        # An unbound form offers the bank it starts at: the one asked for (?bank=,
        # as the htmx category refresh sends it), else the first.
        if data is not None:
            bank_value = data.get("bank")
        else:
            bank_value = initial.get("bank") or (banks[0].pk if banks else None)
        try:
            bank = by_pk.get(int(bank_value)) if bank_value not in (None, "") else None
        except (TypeError, ValueError):
            bank = None
        bank = bank or (banks[0] if banks else None)
        # A select shows its first choice when nothing is remembered: "Not started".
        watched = cls._chosen("watched_through", data, initial)
        watched = 0 if watched is None else watched
        difficulty = cls._chosen("difficulty", data, initial) or QuizDifficulty.MIXED
        if cls._chosen("adaptive", data, initial):
            difficulty = QuizDifficulty.MIXED
        length = cls._chosen("length", data, initial) or 10
        if data is not None and data.get("allow_shorter"):
            length = 1
        if bank is None:
            return (("", "Any category"),)
        counts, names = category_counts_and_names(bank, difficulty, watched)
        # The same counts and names objects (this process's kept copies) give the same
        # choices: worked out once per copy and length.
        key = (bank.pk, difficulty, watched, length)
        made = _CHOICES.get(key)
        if made is not None and made[0] is counts and made[1] is names:
            return made[2]
        offered = sorted(
            (names.get(slug) or Category.name_for(slug), slug, n)
            for slug, n in counts.items()
            if slug and n >= length
        )
        total = sum(counts.values())
        choices = (("", f"Any category ({total} question{'s' if total != 1 else ''})"),) + tuple(
            (slug, f"{name} ({n} question{'s' if n != 1 else ''})") for name, slug, n in offered
        )
        if len(_CHOICES) >= _KEPT_ENTRIES:
            _CHOICES.clear()
        _CHOICES[key] = (counts, names, choices)
        return choices

    def clean_bank(self):
        bank = self.cleaned_data.get("bank")
        if bank is None:
            # The first published bank by name, as read by __init__.
            bank = next(iter(self.fields["bank"].banks.values()), None)
            if bank is None:
                raise ValidationError("There is no question bank to play yet.")
        return bank


# (name, initial) of each StartQuizForm field in order, for StartOffer.memo_key: the
# class's fields never change.
_START_INITIALS = tuple((name, field.initial) for name, field in StartQuizForm.base_fields.items())


@fields_copied_cheaply
class EpisodeQuizForm(forms.Form):
    """ "I just watched episode k": a short quiz on what episode k revealed."""

    episode = forms.TypedChoiceField(
        label="I just watched",
        choices=[(k, f"Episode {k}") for k in range(1, 7)],
        coerce=int,
    )

    @classmethod
    def unbound(cls, initial: dict) -> MemoisedForm:
        """The unbound form, built only if its HTML is not memoised yet (see MemoisedForm)."""
        return MemoisedForm(lambda: cls(initial=initial), memo_key=cls._memo_key(initial))

    @property
    def memo_key(self):
        """What the unbound form shows, for {% memo %}; None when bound (it may carry errors)."""
        if self.is_bound:
            return None
        return self._memo_key(self.initial)

    @classmethod
    def _memo_key(cls, initial: dict) -> tuple:
        return ("episode", _as_shown(initial.get("episode", cls.base_fields["episode"].initial)))


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
    # ... and, for a request without filters, by the defaults given (at most BY_DEFAULTS_ENTRIES).
    _by_defaults: dict[tuple, tuple[Board, tuple]] = {}
    BY_DEFAULTS_ENTRIES = 1024

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
        # Without filters (the page's own link, nearly every request) the answer
        # depends on the defaults alone: looked up by them, without working out
        # the choices again.
        by_defaults = None if data else tuple((defaults or {}).items())
        found = cls._by_defaults.get(by_defaults)
        if found is not None:
            return found
        values = cls.chosen(data, defaults)
        memo_key = ("board", tuple(values.items()))
        found = cls._valid.get(memo_key)  # one entry per valid choice of filters at most
        if found is None:
            keys = cls._choice_keys()
            if any(value not in keys[name] for name, value in values.items()):
                return None
            found = cls._valid[memo_key] = (cls._board_of(values), memo_key)
        # Defaults come from stored choices (any stored value is ignored unless
        # valid): a bound on the entries all the same.
        if by_defaults is not None and len(cls._by_defaults) < cls.BY_DEFAULTS_ENTRIES:
            cls._by_defaults[by_defaults] = found
        return found

    @staticmethod
    def _board_of(values: dict[str, str]) -> Board:
        return Board(
            values["period"],
            length=int(values["length"]),
            difficulty=values["difficulty"],
            watched_through=int(values["watched"]),
            timed=values["timed"] == "1",
        )

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
