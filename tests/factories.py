"""factory-boy factories for the quiz domain. Sections per area; keep each small."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from quiz.models import (
    AttemptQuestion,
    Bank,
    Option,
    Player,
    Question,
    QuizAttempt,
    Report,
)

# --- question bank -----------------------------------------------------------


class BankFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Bank
        django_get_or_create = ("slug",)

    name = "HIS & HERS — the series"
    slug = "his-and-hers"
    is_published = True


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "quiz.Category"
        django_get_or_create = ("slug",)

    slug = "cast"
    name = factory.LazyAttribute(lambda c: c.slug.capitalize())


class QuestionFactory(factory.django.DjangoModelFactory):
    """A published multiple-choice question with four options, the first correct."""

    class Meta:
        model = Question
        skip_postgeneration_save = True

    bank = factory.SubFactory(BankFactory)
    kind = Question.Kind.MULTIPLE
    text = factory.Sequence(lambda n: f"Question number {n}?")
    explanation = factory.Sequence(lambda n: f"Explanation {n}.")
    category = "cast"
    difficulty = "easy"
    spoiler_level = 0
    status = Question.Status.PUBLISHED

    class Params:
        draft = factory.Trait(status=Question.Status.DRAFT)
        generated = factory.Trait(
            source_key=factory.Sequence(lambda n: f"test.fact-{n}:mc"), facts=["cast.anna"]
        )

    @factory.post_generation
    def options(obj, create, extracted, **kwargs):
        if not create:
            return
        if obj.kind == Question.Kind.BOOLEAN:
            texts = extracted or ["True", "False"]
        else:
            texts = extracted or [
                f"Right {obj.pk}",
                f"Wrong A {obj.pk}",
                f"Wrong B {obj.pk}",
                f"Wrong C {obj.pk}",
            ]
        for position, text in enumerate(texts):
            Option.objects.create(
                question=obj, text=text, is_correct=position == 0, position=position
            )


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report

    question = factory.SubFactory(QuestionFactory)
    reason = Report.Reason.WRONG_ANSWER
    note = "The answer looks wrong to me."


# --- players -----------------------------------------------------------------


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"player{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class PlayerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Player

    user = factory.SubFactory(UserFactory)
    display_name = factory.Sequence(lambda n: f"Fan {n}")


# --- attempts ----------------------------------------------------------------


class QuizAttemptFactory(factory.django.DjangoModelFactory):
    """An attempt row without items; use the `finished` trait for leaderboard rows."""

    class Meta:
        model = QuizAttempt

    player = factory.SubFactory(PlayerFactory)
    bank = factory.SubFactory(BankFactory)
    difficulty = "easy"
    watched_through = 6
    length = 5

    class Params:
        finished = factory.Trait(
            status=QuizAttempt.Status.FINISHED,
            finished_at=factory.LazyFunction(timezone.now),
            answered_count=factory.SelfAttribute("length"),
            score=500,
            correct_count=5,
            seconds=60.0,
        )


class AttemptQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AttemptQuestion

    attempt = factory.SubFactory(QuizAttemptFactory)
    position = factory.Sequence(lambda n: n)
    text = "Who plays Anna Andrews?"
    kind = "multiple"
    difficulty = "easy"
    spoiler_level = 0
    options = factory.LazyFunction(
        lambda: [{"key": "k1", "text": "Tessa Thompson"}, {"key": "k2", "text": "Poppy Liu"}]
    )
    correct_key = "k1"


# --- leaderboard ---------------------------------------------------------------


class FinishedAttemptFactory(QuizAttemptFactory):
    """A finished, counted quiz by a signed-in player: one leaderboard result."""

    finished = True
