"""The registry of student implementations: right ones that must pass, buggy ones that must fail.

Every implementation is registered with the exercise it answers; a buggy one also with the name
of the mistake the checker should recognise in it (None when the message need not name one).
"""

CORRECT = []
"""(exercise id, function) pairs that must pass both the visible and the hidden check."""

BUGGY = []
"""(exercise id, function, mistake name or None) triples that must fail both checks."""


def correct(exercise_id):
    """Register a right implementation of `exercise_id`."""

    def register(function):
        CORRECT.append((exercise_id, function))
        return function

    return register


def buggy(exercise_id, mistake=None):
    """Register a wrong implementation of `exercise_id` whose message must name `mistake`."""

    def register(function):
        BUGGY.append((exercise_id, function, mistake))
        return function

    return register
