"""Quiz pages: the quiz with its rules and your attempts, the attempt form, and the result.

Thin: parse, call one service, render. Every attempt is looked up through the trainee's own
attempts, so anyone else gets a 404. The attempt form carries no answer key: prompts and choice
texts only. Feedback and explanations appear on the result page, as the quiz's review policy
allows.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import keys, selectors, services
from .grading import QuestionKind
from .models import Review


def _private(response):
    add_never_cache_headers(response)
    response["Cache-Control"] += ", private"
    return response


def _course_and_module(quiz):
    if quiz.module_id:
        module = quiz.module
        return module.get_parent().specific, module
    return quiz.course, None


@login_required
@require_http_methods(["GET", "POST"])
def quiz_detail(request, pk):
    quiz = selectors.quiz_for(pk)
    if not request.user.has_perm("assessments.take_quiz", quiz):
        raise Http404
    if request.method == "POST":
        try:
            attempt = services.attempt_start(trainee=request.user, quiz=quiz)
        except services.QuizProblem as problem:
            messages.error(request, " ".join(problem.messages))
            return redirect("quiz_detail", pk=quiz.pk)
        return redirect("attempt_take", pk=attempt.pk)
    attempts = selectors.attempts_of(request.user, quiz)
    decision = selectors.start_decision(request.user, quiz, attempts)
    course, module = _course_and_module(quiz)
    return _private(
        TemplateResponse(
            request,
            "assessments/quiz_detail.html",
            {
                "quiz": quiz,
                "course": course,
                "module": module,
                "attempts": [a for a in attempts if not a.is_open],
                "open_attempt": next((a for a in attempts if a.is_open), None),
                "decision": decision,
                "refusal": services.start_refusal_message(decision) if not decision.allowed else "",
                "question_count": quiz.draw or quiz.quiz_questions.count(),
                "accommodation": selectors.accommodation_of(request.user, quiz),
            },
        )
    )


def _parse_answers(post, questions) -> dict[int, services.RawAnswer]:
    """Read the attempt form. Every question on the page is answered, even if left blank
    (a cleared answer is an answer too)."""
    answers = {}
    for question in questions:
        name = f"q{question.position}"
        try:
            if question.kind == QuestionKind.MATCHING:
                matches = []
                for left in question.choice_order:
                    right = post.get(f"{name}-{left}", "")
                    if right:
                        matches.append((int(left), int(right)))
                answers[question.position] = services.RawAnswer(matches=tuple(matches))
            else:
                answers[question.position] = services.RawAnswer(
                    choice_ids=tuple(int(value) for value in post.getlist(name))
                )
        except ValueError as exc:
            raise services.QuizProblem(
                _("An answer was not understood. Please reload the page."), code="malformed"
            ) from exc
    return answers


def _attempt_questions(attempt):
    """The questions as asked in this attempt, ready for the form, without the answer key."""
    rows = list(attempt.questions.select_related("answer").order_by("position"))
    as_asked = keys.questions_as_asked([row.revision_id for row in rows])
    items = []
    for row in rows:
        question = as_asked[row.revision_id]
        answer = getattr(row, "answer", None)
        if row.kind == QuestionKind.MATCHING:
            pairs = {pair.pk: pair for pair in question.pairs.all()}
            options = [(pk, pairs[pk].right) for pk in row.choice_order if pk in pairs]
            lefts = [(pair.pk, pair.left) for pair in question.pairs.all()]
            chosen = {int(k): v for k, v in (answer.matches.items() if answer else [])}
            items.append(
                {
                    "row": row,
                    "question": question,
                    "lefts": lefts,
                    "options": options,
                    "chosen": chosen,
                }
            )
        else:
            choices = {choice.pk: choice for choice in question.choices.all()}
            options = [(pk, choices[pk].text) for pk in row.choice_order if pk in choices]
            chosen = set(answer.choice_ids) if answer else set()
            items.append({"row": row, "question": question, "options": options, "chosen": chosen})
    return rows, items


@login_required
@require_http_methods(["GET", "POST"])
def attempt_take(request, pk):
    attempt = selectors.attempt_of(request.user, pk)
    if not attempt.is_open:
        return redirect("attempt_result", pk=attempt.pk)
    if services.attempt_expired(attempt):
        services.attempt_submit(attempt=attempt, trainee=request.user)
        messages.info(
            request,
            _("Time ran out, so we graded the answers you saved before the time limit."),
        )
        return redirect("attempt_result", pk=attempt.pk)
    rows, items = _attempt_questions(attempt)
    if request.method == "POST":
        try:
            services.answers_save(
                attempt=attempt, trainee=request.user, answers=_parse_answers(request.POST, rows)
            )
            if request.POST.get("action") == "submit":
                outcome = services.attempt_submit(attempt=attempt, trainee=request.user)
                if outcome.already_submitted:
                    messages.info(
                        request, _("This attempt was already submitted. Here is its result.")
                    )
                return redirect("attempt_result", pk=attempt.pk)
            messages.success(
                request, _("Your answers are saved. You can come back and finish later.")
            )
            return redirect("attempt_take", pk=attempt.pk)
        except services.QuizProblem as problem:
            if problem.code in {"time_up", "submitted"}:
                if attempt.is_open:
                    services.attempt_submit(attempt=attempt, trainee=request.user)
                messages.info(request, " ".join(problem.messages))
                return redirect("attempt_result", pk=attempt.pk)
            messages.error(request, " ".join(problem.messages))
            return redirect("attempt_take", pk=attempt.pk)
    course, module = _course_and_module(attempt.quiz)
    return _private(
        TemplateResponse(
            request,
            "assessments/attempt.html",
            {
                "attempt": attempt,
                "quiz": attempt.quiz,
                "course": course,
                "module": module,
                "items": items,
                "answered": sum(1 for item in items if item["chosen"]),
            },
        )
    )


@login_required
@require_POST
def attempt_autosave(request, pk):
    """Save one question's answer as it is given (called by the page's small script)."""
    attempt = selectors.attempt_of(request.user, pk)
    try:
        position = int(request.POST.get("position", ""))
    except ValueError:
        return JsonResponse(
            {"saved": False, "message": _("An answer was not understood.")}, status=400
        )
    rows = [row for row in attempt.questions.all() if row.position == position]
    if not rows:
        return JsonResponse(
            {"saved": False, "message": _("That question is not part of this attempt.")}, status=400
        )
    try:
        saved_at = services.answers_save(
            attempt=attempt, trainee=request.user, answers=_parse_answers(request.POST, rows)
        )
    except services.QuizProblem as problem:
        status = 409 if problem.code in {"time_up", "submitted"} else 400
        return JsonResponse({"saved": False, "message": " ".join(problem.messages)}, status=status)
    return JsonResponse(
        {
            "saved": True,
            "message": _("Saved at %(time)s")
            % {"time": timezone.localtime(saved_at).strftime("%H:%M:%S")},
        }
    )


@login_required
def attempt_result(request, pk):
    attempt = selectors.attempt_of(request.user, pk)
    if attempt.is_open:
        raise PermissionDenied
    quiz = attempt.quiz
    rows, items = _attempt_questions(attempt)
    for item in items:
        question = item["question"]
        if item["row"].kind == QuestionKind.MATCHING:
            pairs = list(question.pairs.all())
            rights = dict(item["options"])
            item["pair_results"] = [
                {
                    "left": pair.left,
                    "right": pair.right,
                    "chosen": rights.get(item["chosen"].get(pair.pk), ""),
                    "correct": item["chosen"].get(pair.pk) == pair.pk,
                }
                for pair in pairs
            ]
        else:
            item["choice_results"] = [
                {
                    "text": choice.text,
                    "picked": choice.pk in item["chosen"],
                    "correct": choice.is_correct,
                    "feedback": choice.feedback,
                }
                for choice in question.choices.all()
            ]
    attempts = selectors.attempts_of(request.user, quiz)
    decision = selectors.start_decision(request.user, quiz, attempts)
    course, module = _course_and_module(quiz)
    return _private(
        TemplateResponse(
            request,
            "assessments/result.html",
            {
                "attempt": attempt,
                "quiz": quiz,
                "course": course,
                "module": module,
                "items": items,
                "decision": decision,
                "refusal": services.start_refusal_message(decision) if not decision.allowed else "",
                "show_mistakes": quiz.review in (Review.MISTAKES, Review.ANSWERS),
                "show_answers": quiz.review == Review.ANSWERS,
                "wrong_count": sum(1 for row in rows if not row.is_correct),
            },
        )
    )
