"""Document themes as data: the packaged theme and words (default.yaml, de.yaml, fr.yaml), a
books folder's `templates/`, languages, frozen themes and their checks. No ReportLab here:
consult.render draws with what this package resolves; issuing and `consult check` use it too.
"""
