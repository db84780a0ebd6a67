"""Pages of the demonstration sites: sites.py (list, profile, my guidance), batches.py (batches and
nominations), guidance.py (groups, visits, follow-ups, ratings)."""
