from .attempts import Accommodation, Answer, Attempt, AttemptQuestion
from .questions import (
    Choice,
    MatchPair,
    Question,
    QuestionBank,
    QuestionKind,
    Quiz,
    QuizQuestion,
    Review,
)

__all__ = [
    "Accommodation",
    "Answer",
    "Attempt",
    "AttemptQuestion",
    "Choice",
    "MatchPair",
    "Question",
    "QuestionBank",
    "QuestionKind",
    "Quiz",
    "QuizQuestion",
    "Review",
]
