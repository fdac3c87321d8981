"""nbgrader settings for the course: instructors' notebooks live in solutions/, the student release in course/."""
c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

c.CourseDirectory.course_id = "pytorch-course"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "course"
# Per-cell limit of nbgrader's own `validate` and `autograde`: students validate in the full profile, where a
# training cell runs for minutes. The course grader (`make autograde`) grades in the quick profile and has its own
# limits, each declared once in grader/autograde/options.py and settable here as c.GraderOptions.<name>
# (`python -m grader autograde --help` lists them with their defaults).
c.ExecutePreprocessor.timeout = 600
c.ClearSolutions.code_stub = {
    "python": '# YOUR CODE HERE\nraise NotImplementedError("replace this line with your answer, '
              'then run this cell and the test cell below it")'
}
