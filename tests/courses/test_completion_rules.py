import pytest

from courses.completion import Requirement, evaluate

QUIZ_PASSED = Requirement("Quiz for module 1", met=True)
QUIZ_PENDING = Requirement("Quiz for module 2", met=False)


@pytest.mark.parametrize(
    ("modules", "done", "requirements", "complete", "done_count", "next_id", "percent"),
    [
        ([1, 2, 3], set(), [], False, 0, 1, 0),
        ([1, 2, 3], {1}, [], False, 1, 2, 33),
        # Modules can be done out of order; the next step is the first one left.
        ([1, 2, 3], {2, 3}, [], False, 2, 1, 67),
        ([1, 2, 3], {1, 2, 3}, [], True, 3, None, 100),
        # Every module done, but a quiz not passed yet: not complete.
        ([1, 2], {1, 2}, [QUIZ_PASSED, QUIZ_PENDING], False, 2, None, 100),
        ([1, 2], {1, 2}, [QUIZ_PASSED], True, 2, None, 100),
        # A completion of a module that is no longer live does not count.
        ([1, 2], {1, 9}, [], False, 1, 2, 50),
        # A course with no modules is never complete.
        ([], set(), [], False, 0, None, 0),
    ],
)
def test_evaluate(modules, done, requirements, complete, done_count, next_id, percent):
    status = evaluate(module_ids=modules, done_ids=done, requirements=requirements)
    assert status.complete is complete
    assert status.modules_done == done_count
    assert status.next_module_id == next_id
    assert status.percent == percent
    assert all(not requirement.met for requirement in status.unmet)
