"""nbgrader settings for the course: instructors' notebooks live in solutions/, the student release in course/."""
c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

c.CourseDirectory.course_id = "pytorch-course"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "course"
# Per-cell limit while grading; notebooks in the full profile train for a few minutes at most.
c.ExecutePreprocessor.timeout = 600
c.ClearSolutions.code_stub = {
    "python": '# YOUR CODE HERE\nraise NotImplementedError("replace this line with your answer, '
              'then run this cell and the test cell below it")'
}
