"""The instructor's side of the course: release, grade, feedback and export, built on nbgrader.

Run the `course` command (see `course --help`) from the course directory, `autograder/`.
"""
