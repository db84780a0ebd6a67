"""Pages of information submissions (submissions.py) and the newsletter (issues.py)."""
