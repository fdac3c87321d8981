"""Tools for the course's authors: the student release built from the solutions (`release`), the committed outputs
refreshed (`outputs`), and nbgrader's command line in throwaway course roots (`nbgrader_run`)."""
