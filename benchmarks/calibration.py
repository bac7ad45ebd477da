"""How many answers per question the calibrated difficulty needs to be trusted.

    .venv/bin/python benchmarks/calibration.py [--players 5000] [--runs 5] [--seed 14]

Simulates players of known skill answering questions of known difficulty and
rates every finished quiz through quiz.rating.rate_answers, the code that
rates real quizzes when they finish (and that recalibrate replays). No database.

- The bank is the real one: quiz.generator.build_questions() (its size, its
  labels, its kinds). A question's true difficulty is drawn around its label
  (easy -1, medium 0, hard +1 logit, spread --spread), so labels are a fair
  first guess, not the truth.
- Players: --players with a skill drawn from N(0, 1) logit; how often each
  plays is drawn from a log-normal (a few play a lot, most a little).
  --anonymous of the quizzes are played anonymously by a fresh player (rated
  as quiz.rating does: the player taken at ANONYMOUS_RATING, not stored).
- A quiz: 10 questions drawn uniformly from the bank. A player of skill s
  answers a question of difficulty d right with probability
  g + (1 - g) / (1 + e^(d - s)), g the guessing chance (1/4 for four options,
  1/2 for true/false): the Elo model itself knows nothing of guessing.

Each question's calibrated rating is taken when it reaches N answers; the
script prints, per N, the Spearman rank correlation between true and
calibrated difficulty (mean and worst of --runs seeded runs) and how often the
calibrated band (quiz.rating.bands_from: the rating order cut in the labels'
proportions) is the true one, then the first N at which the mean Spearman
reaches 0.8. Deterministic for a given --seed.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from throwaway import setup_django

LABEL_OFFSET = {"easy": -1.0, "medium": 0.0, "hard": 1.0}
QUIZ_LENGTH = 10
CHECKPOINTS = (5, 10, 15, 20, 25, 30, 40, 50, 75, 100, 150, 200)
TARGET = 0.8


def ranks(values: list[float]) -> list[float]:
    """Ranks from 1, ties sharing their mean rank."""
    order = sorted(range(len(values)), key=values.__getitem__)
    result = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            result[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return result


def spearman(xs: list[float], ys: list[float]) -> float:
    rx, ry = ranks(xs), ranks(ys)
    mx, my = statistics.fmean(rx), statistics.fmean(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    var = math.sqrt(sum((a - mx) ** 2 for a in rx) * sum((b - my) ** 2 for b in ry))
    return cov / var if var else 0.0


def simulate(bank, args, seed: int, rating) -> tuple[dict[int, float], float]:
    """One run: {N: Spearman at N answers per question}, and the labels' own Spearman."""
    rng = random.Random(seed)
    truth = [LABEL_OFFSET[q.difficulty] + rng.gauss(0.0, args.spread) for q in bank]
    guess = [0.5 if str(q.kind) == "boolean" else 1.0 / len(q.options) for q in bank]
    skills = [rng.gauss(0.0, 1.0) for _ in range(args.players)]
    activity = [rng.lognormvariate(0.0, 1.0) for _ in range(args.players)]
    players = [rating.Rating() for _ in range(args.players)]
    questions = [rating.Rating() for _ in bank]
    snapshots: dict[int, list[float | None]] = {n: [None] * len(bank) for n in CHECKPOINTS}
    last = CHECKPOINTS[-1]
    unfinished = len(bank)
    indexes = range(len(bank))
    while unfinished:
        if rng.random() < args.anonymous:
            skill, player = rng.gauss(0.0, 1.0), None
        else:
            who = rng.choices(range(args.players), weights=activity)[0]
            skill, player = skills[who], players[who]
        picked = rng.sample(indexes, QUIZ_LENGTH)
        answers = []
        for i in picked:
            p = guess[i] + (1 - guess[i]) / (1 + math.exp(truth[i] - skill))
            answers.append((questions[i], rng.random() < p))
        rating.rate_answers(player, answers)
        for i in picked:
            n = questions[i].answers
            if n in snapshots:
                snapshots[n][i] = questions[i].value
                if n == last:
                    unfinished -= 1
    labels = [q.difficulty for q in bank]
    true_bands = banded(truth, labels, rating)
    by_n = {
        n: (
            spearman(truth, values),
            agreement(banded(values, labels, rating), true_bands),
        )
        for n, values in snapshots.items()
    }
    offsets = [LABEL_OFFSET[label] for label in labels]
    return by_n, (spearman(truth, offsets), agreement(labels, true_bands))


def banded(values: list[float], labels: list[str], rating) -> list[str]:
    """Each question's band by quiz.rating's rule: the order of `values` cut where the labels cut it."""
    ordered = sorted(values)
    bands = rating.bands_from(ordered, len(ordered), labels.count("easy"), labels.count("hard"))
    return [bands.of(v) for v in values]


def agreement(bands: list[str], truth: list[str]) -> float:
    return sum(a == b for a, b in zip(bands, truth, strict=True)) / len(truth)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--players", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--anonymous", type=float, default=0.3, help="share of anonymous quizzes")
    parser.add_argument("--spread", type=float, default=1.0, help="true difficulty around label")
    parser.add_argument("--k-max", type=float, help="override quiz.rating.K_MAX")
    parser.add_argument("--k-decay", type=float, help="override quiz.rating.K_DECAY")
    args = parser.parse_args()

    setup_django(
        {"DATABASE_URL": "sqlite:///:memory:", "SECRET_KEY": "benchmark-only", "DEBUG": "0"}
    )
    from quiz import rating
    from quiz.generator import build_questions

    if args.k_max is not None:
        rating.K_MAX = args.k_max
    if args.k_decay is not None:
        rating.K_DECAY = args.k_decay
    bank = build_questions()
    print(
        f"bank: {len(bank)} questions (the generated bank); {args.players} players, "
        f"{args.anonymous:.0%} anonymous quizzes, {QUIZ_LENGTH} questions a quiz, "
        f"{args.runs} runs from seed {args.seed}"
    )
    print(f"rating: scale {rating.SCALE:g}, K(n) = {rating.K_MAX:g} / (1 + {rating.K_DECAY:g} n)")
    started = time.perf_counter()
    results = [simulate(bank, args, args.seed + run, rating) for run in range(args.runs)]
    elapsed = time.perf_counter() - started
    print(
        f"labels alone: Spearman {statistics.fmean(r[1][0] for r in results):.3f}, "
        f"label = true band for {statistics.fmean(r[1][1] for r in results):.0%} of questions"
    )
    print(f"{'answers/question':>17}  {'Spearman mean':>13}  {'worst run':>9}  {'band right':>10}")
    reached = None
    for n in CHECKPOINTS:
        values = [r[0][n][0] for r in results]
        mean = statistics.fmean(values)
        bands = statistics.fmean(r[0][n][1] for r in results)
        print(f"{n:>17}  {mean:>13.3f}  {min(values):>9.3f}  {bands:>10.0%}")
        if reached is None and mean >= TARGET:
            reached = n
    if reached is None:
        print(f"Spearman {TARGET} not reached within {CHECKPOINTS[-1]} answers per question")
    else:
        print(f"Spearman >= {TARGET} from {reached} answers per question (mean of runs)")
    print(f"{elapsed:.1f} s")


if __name__ == "__main__":
    main()
