"""nbgrader configuration of the course (run nbgrader and `course` from this directory)."""

c = get_config()  # noqa: F821  (provided by traitlets when nbgrader loads this file)

c.CourseDirectory.course_id = "convnets"
# Master notebooks live in source/<assignment>/<assignment>.ipynb (nbgrader's standard layout).
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"

# What a student sees in place of a solution.
c.ClearSolutions.code_stub = {
    "python": "# YOUR CODE HERE\nraise NotImplementedError()",
}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Notebooks train small networks; give them room, but never wait forever.
c.ExecutePreprocessor.timeout = 300
