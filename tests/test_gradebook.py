from grader.gradebook import exercise_of, exercise_scores, total

SCORES = {"test_freeze": (1, 2), "test_freeze_first_children": (0, 1), "test_freeze_bn_stats_train": (3, 3)}
EXERCISES = {"freeze", "freeze_first_children", "freeze_bn_stats"}


def test_longest_exercise_name_owns_the_test_cell():
    assert exercise_of("test_freeze", EXERCISES) == "freeze"
    assert exercise_of("test_freeze_first_children", EXERCISES) == "freeze_first_children"
    assert exercise_of("test_freeze_bn_stats_train", EXERCISES) == "freeze_bn_stats"
    assert exercise_of("test_other", EXERCISES) is None


def test_exercise_scores_and_total():
    assert exercise_scores(SCORES, "freeze", EXERCISES) == {"test_freeze": (1, 2)}
    assert total(SCORES) == (4, 6)
