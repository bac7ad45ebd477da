"""Admin for the question banks: banks, questions with their options, and the reports queue.

Option rules live in quiz.validation (shared with the importer); this module
only wires them into forms. The players' and attempts' admins are in
quiz.admin_players, imported here so that Django's admin autodiscovery (which
imports quiz.admin) registers them too.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from quiz import (
    admin_players,  # noqa: F401 - registers the Player and QuizAttempt admins
    rating,
)
from quiz.facts import default_fact_base
from quiz.models import Bank, Category, Difficulty, Option, Question, Report
from quiz.validation import has_markup, option_set_errors


@admin.register(Bank)
class BankAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_published", "question_count", "published_count"]
    list_filter = ["is_published"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                question_total=Count("questions"),
                published_total=Count(
                    "questions", filter=Q(questions__status=Question.Status.PUBLISHED)
                ),
            )
        )

    @admin.display(description="questions", ordering="question_total")
    def question_count(self, bank):
        return bank.question_total

    @admin.display(description="published", ordering="published_total")
    def published_count(self, bank):
        return bank.published_total


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "question_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        # Question.category holds the slug (the generator writes plain strings).
        questions = Question.objects.filter(category=OuterRef("slug")).order_by().values("category")
        counted = questions.annotate(n=Count("id")).values("n")
        return super().get_queryset(request).annotate(question_total=Coalesce(Subquery(counted), 0))

    @admin.display(description="questions", ordering="question_total")
    def question_count(self, category):
        return category.question_total

    def get_readonly_fields(self, request, obj=None):
        # Questions point at the slug: renaming it would orphan them.
        return ["slug"] if obj else []


class OptionInlineFormSet(BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            label = "new option" if index is None else f"option {index + 1}"
            form.fields["DELETE"].widget.attrs["aria-label"] = f"Delete {label}"

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        options = [
            (form.cleaned_data["text"], form.cleaned_data.get("is_correct", False))
            for form in self.forms
            if form.cleaned_data.get("text") and not form.cleaned_data.get("DELETE")
        ]
        errors = option_set_errors(self.instance.kind, options)
        if errors:
            raise forms.ValidationError(errors)

    def save(self, commit=True):
        # The database allows one correct option per question at every moment:
        # demote the old correct option before the new one is saved.
        if commit and self.instance.pk:
            demoted = [
                form.instance.pk
                for form in self.initial_forms
                if form.instance.pk and not form.cleaned_data.get("is_correct")
            ]
            Option.objects.filter(pk__in=demoted).update(is_correct=False)
        return super().save(commit)


class OptionForm(forms.ModelForm):
    class Meta:
        model = Option
        fields = ["text", "is_correct", "position"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A tabular inline shows its labels only as column headings: name each input.
        index = self.prefix.rsplit("-", 1)[-1] if self.prefix else ""
        which = f"Option {int(index) + 1}" if index.isdigit() else "New option"
        self.fields["text"].widget.attrs["aria-label"] = f"{which}: text"
        self.fields["is_correct"].widget.attrs["aria-label"] = f"{which}: correct"
        self.fields["position"].widget.attrs["aria-label"] = f"{which}: position"

    def validate_constraints(self):
        # "One correct option per question" is judged for the whole formset
        # (OptionInlineFormSet.clean): one form alone would see the old correct
        # option still in the database when the admin moves the tick.
        exclude = self._get_validation_exclusions()
        exclude.add("is_correct")
        try:
            self.instance.validate_constraints(exclude=exclude)
        except ValidationError as exc:
            self._update_errors(exc)


class OptionInline(admin.TabularInline):
    model = Option
    form = OptionForm
    formset = OptionInlineFormSet
    extra = 0
    min_num = 2
    max_num = 6
    fields = ["text", "is_correct", "position"]


class QuestionAdminForm(forms.ModelForm):
    category = forms.ChoiceField(
        required=False,
        help_text="Pick from the managed list; add a category under Categories.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "— none —")] + list(Category.objects.values_list("slug", "name"))
        current = self.instance.category if self.instance.pk else ""
        if current and current not in dict(choices):
            # A category the generator wrote before the list knew it: keep it selectable.
            choices.append((current, Category.name_for(current)))
        self.fields["category"].choices = choices

    class Meta:
        model = Question
        fields = [
            "bank",
            "kind",
            "text",
            "explanation",
            "category",
            "difficulty",
            "spoiler_level",
            "status",
        ]

    def clean(self):
        cleaned = super().clean()
        for name in ("text", "explanation"):
            if has_markup(cleaned.get(name) or ""):
                self.add_error(name, "Plain text only: no HTML markup.")
        return cleaned


class OriginFilter(admin.SimpleListFilter):
    title = "origin"
    parameter_name = "origin"

    def lookups(self, request, model_admin):
        return [("generated", "Generated from facts"), ("hand-written", "Hand-written")]

    def queryset(self, request, queryset):
        if self.value() == "generated":
            return queryset.generated()
        if self.value() == "hand-written":
            return queryset.filter(source_key="")
        return queryset


class CalibrationFilter(admin.SimpleListFilter):
    """The labelled difficulty against the one players' answers show (quiz.rating)."""

    title = "calibrated difficulty"
    parameter_name = "calibration"

    def lookups(self, request, model_admin):
        return [
            ("disagrees", "Label disagrees with players"),
            ("agrees", "Label agrees with players"),
            ("too-few", f"Fewer than {rating.CALIBRATED_MIN_ANSWERS} answers yet"),
        ]

    def queryset(self, request, queryset):
        # `calibrated` is annotated by QuestionAdmin.get_queryset.
        if self.value() == "disagrees":
            return queryset.exclude(calibrated="").exclude(difficulty=F("calibrated"))
        if self.value() == "agrees":
            return queryset.filter(difficulty=F("calibrated"))
        if self.value() == "too-few":
            return queryset.filter(calibrated="")
        return queryset


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    form = QuestionAdminForm
    inlines = [OptionInline]
    list_display = [
        "short_text",
        "bank",
        "kind",
        "category",
        "labelled",
        "calibrated_display",
        "spoiler_level",
        "status",
        "origin",
        "answer_count",
        "accuracy_display",
    ]
    list_filter = [
        "bank",
        "difficulty",
        CalibrationFilter,
        "spoiler_level",
        "status",
        "category",
        OriginFilter,
        "edited_by_admin",
    ]
    list_select_related = ["bank"]
    search_fields = ["text", "explanation", "options__text", "source_key"]
    actions = [
        "publish",
        "unpublish",
        "adopt_calibrated",
        "label_easy",
        "label_medium",
        "label_hard",
    ]
    readonly_fields = [
        "preview",
        "facts_display",
        "source_key",
        "edited_by_admin",
        "answer_count",
        "correct_count",
        "accuracy_display",
        "calibrated_display",
        "rating_display",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["bank", "kind", "text", "explanation"]}),
        ("Classification", {"fields": ["category", "difficulty", "spoiler_level", "status"]}),
        ("Preview", {"fields": ["preview"]}),
        (
            "Origin",
            {
                "fields": [
                    "source_key",
                    "edited_by_admin",
                    "facts_display",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
        (
            "Answers",
            {
                "fields": [
                    "answer_count",
                    "correct_count",
                    "accuracy_display",
                    "calibrated_display",
                    "rating_display",
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        # The calibrated difficulty depends on every calibrated question's
        # rating (quiz.rating.calibrated_bands): computed once per request.
        if not hasattr(request, "_calibrated_bands"):
            request._calibrated_bands = rating.calibrated_bands()
        return (
            super()
            .get_queryset(request)
            .annotate(calibrated=rating.calibrated_expression(request._calibrated_bands))
        )

    @admin.display(description="labelled", ordering="difficulty")
    def labelled(self, question):
        return question.get_difficulty_display()

    @admin.display(description="calibrated", ordering="rating")
    def calibrated_display(self, question):
        calibrated = getattr(question, "calibrated", "")
        if not calibrated:
            return f"— ({question.rated_answers} of {rating.CALIBRATED_MIN_ANSWERS} answers)"
        label = Difficulty(calibrated).label
        if calibrated != question.difficulty:
            return f"{label} ≠ label"
        return label

    @admin.display(description="rating")
    def rating_display(self, question):
        return (
            f"{question.rating:+.0f} from {question.rated_answers} answers in finished quizzes "
            "(players start at 0; higher is harder)"
        )

    @admin.display(description="question", ordering="text")
    def short_text(self, question):
        return str(question)

    @admin.display(description="origin", ordering="source_key")
    def origin(self, question):
        if not question.source_key:
            return "hand-written"
        return "generated, edited" if question.edited_by_admin else "generated"

    @admin.display(description="accuracy")
    def accuracy_display(self, question):
        if question.accuracy is None:
            return "—"
        return f"{question.accuracy:.0%}"

    @admin.display(description="how players will see it")
    def preview(self, question):
        if not question.pk:
            return "Save the question to see a preview."
        options = format_html_join(
            "",
            "<li>{}{}</li>",
            ((o.text, " ✓ correct" if o.is_correct else "") for o in question.options.all()),
        )
        return format_html(
            "<div><p><strong>{}</strong></p><ol>{}</ol><p><em>Explanation:</em> {}</p>"
            "<p>Shown to players who have watched {} or more episodes · {} · {}</p></div>",
            question.text,
            options,
            question.explanation or "—",
            question.spoiler_level,
            question.get_difficulty_display(),
            question.get_status_display(),
        )

    @admin.display(description="facts it draws on")
    def facts_display(self, question):
        if not question.facts and not question.mentions:
            return "— (hand-written or imported: no facts recorded)"
        facts = default_fact_base().facts
        rows = []
        for role, fact_ids in (("asks", question.facts), ("mentions", question.mentions)):
            for fact_id in fact_ids:
                fact = facts.get(fact_id)
                if fact is None:
                    rows.append((role, fact_id, "no longer in the fact base", ""))
                else:
                    where = f"level {fact.level}" + (f", “{fact.section}”" if fact.section else "")
                    rows.append((role, fact_id, where, fact.summary))
        return format_html(
            "<p>A quiz never holds two questions asking one fact, nor one that mentions a fact "
            "another asks.</p><ul>{}</ul>",
            format_html_join("", "<li>{}: {} ({}): {}</li>", rows),
        )

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if "bank" not in initial:
            banks = list(Bank.objects.values_list("pk", flat=True)[:2])
            if len(banks) == 1:
                initial["bank"] = banks[0]
        return initial

    def save_model(self, request, obj, form, change):
        # A generated question an admin has saved is the admin's from now on:
        # the generator will no longer overwrite it.
        if change and obj.source_key:
            obj.edited_by_admin = True
        super().save_model(request, obj, form, change)

    def _set_status(self, request, queryset, status, verb):
        count = queryset.update(status=status)
        queryset.generated().update(edited_by_admin=True)
        self.message_user(request, f"{verb} {count} question(s).")

    @admin.action(description="Publish the selected questions")
    def publish(self, request, queryset):
        self._set_status(request, queryset, Question.Status.PUBLISHED, "Published")

    @admin.action(description="Unpublish the selected questions (back to draft)")
    def unpublish(self, request, queryset):
        self._set_status(request, queryset, Question.Status.DRAFT, "Unpublished")

    def _relabel(self, queryset, difficulty: str) -> int:
        # Like any admin edit, a re-labelled generated question is the admin's
        # from now on: the generator will not set its label back.
        changed = Question.objects.filter(
            pk__in=list(queryset.exclude(difficulty=difficulty).values_list("pk", flat=True))
        )
        changed.generated().update(edited_by_admin=True)
        return changed.update(difficulty=difficulty)

    @admin.action(description="Label the selected questions as players found them (calibrated)")
    def adopt_calibrated(self, request, queryset):
        changed = sum(
            self._relabel(queryset.filter(calibrated=difficulty), difficulty)
            for difficulty in Difficulty.values
        )
        skipped = queryset.filter(calibrated="").count()
        message = f"Re-labelled {changed} question(s) with their calibrated difficulty."
        if skipped:
            message += f" {skipped} had too few answers to be calibrated and keep their label."
        self.message_user(request, message)

    def _label_as(self, request, queryset, difficulty: str):
        changed = self._relabel(queryset, difficulty)
        self.message_user(
            request, f"Re-labelled {changed} question(s) {Difficulty(difficulty).label}."
        )

    @admin.action(description="Label the selected questions Easy")
    def label_easy(self, request, queryset):
        self._label_as(request, queryset, Difficulty.EASY)

    @admin.action(description="Label the selected questions Medium")
    def label_medium(self, request, queryset):
        self._label_as(request, queryset, Difficulty.MEDIUM)

    @admin.action(description="Label the selected questions Hard")
    def label_hard(self, request, queryset):
        self._label_as(request, queryset, Difficulty.HARD)


class ReportStatusFilter(admin.SimpleListFilter):
    """Open reports by default: the changelist is the moderation queue."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [(None, "Open"), ("resolved", "Resolved"), ("all", "All")]

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {
                "selected": self.value() == value,
                "query_string": changelist.get_query_string(
                    {self.parameter_name: value} if value else {}, [self.parameter_name]
                ),
                "display": label,
            }

    def queryset(self, request, queryset):
        if self.value() == "all":
            return queryset
        if self.value() == "resolved":
            return queryset.filter(status=Report.Status.RESOLVED)
        return queryset.filter(status=Report.Status.OPEN)


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["question", "reason", "note", "status", "question_status", "created_at"]
    list_filter = [ReportStatusFilter, "reason"]
    list_select_related = ["question"]
    search_fields = ["note", "question__text"]
    readonly_fields = [
        "question",
        "question_text",
        "players_answer",
        "correct_answer",
        "player",
        "reason",
        "note",
        "created_at",
        "resolved_at",
    ]
    fields = [*readonly_fields, "status"]
    actions = ["resolve", "resolve_and_unpublish"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="as the player saw it")
    def question_text(self, report):
        return report.item.text if report.item else report.question.text

    @admin.display(description="player's answer")
    def players_answer(self, report):
        if report.item is None:
            return "— (the quiz was deleted)"
        return report.item.chosen_text or "—"

    @admin.display(description="correct answer")
    def correct_answer(self, report):
        if report.item is not None:
            return report.item.correct_text
        correct = report.question.options.filter(is_correct=True).first()
        return correct.text if correct else "—"

    @admin.display(description="question status")
    def question_status(self, report):
        return report.question.get_status_display()

    def _resolve(self, queryset) -> int:
        return queryset.filter(status=Report.Status.OPEN).update(
            status=Report.Status.RESOLVED, resolved_at=timezone.now()
        )

    @admin.action(description="Resolve the selected reports")
    def resolve(self, request, queryset):
        self.message_user(request, f"Resolved {self._resolve(queryset)} report(s).")

    @admin.action(description="Resolve the selected reports and unpublish their questions")
    def resolve_and_unpublish(self, request, queryset):
        questions = Question.objects.filter(pk__in=queryset.values("question"))
        unpublished = questions.update(status=Question.Status.DRAFT)
        questions.generated().update(edited_by_admin=True)
        resolved = self._resolve(queryset)
        self.message_user(
            request, f"Resolved {resolved} report(s); unpublished {unpublished} question(s)."
        )
