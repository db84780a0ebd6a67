"""Pages of the assessment app, one module per page group; their routes are in assessment/urls.py.

- frameworks: the office's method editor (frameworks, dimensions, criteria); criterion_words: each
  criterion described in words on the framework page;
- rounds: the office runs a round (list, opening, overview, stages, computing and rankings, raters, bonus and
  deduction entries, publication, appeals, lock and reopen); calibration: the office's calibration tab;
- rating: raters rate what they were assigned;
- cards: assessed organisations submit their self-assessment and evidence, read their score cards and appeal;
- exports: downloads of a score card and of the provincial summary (.xlsx and PDF);
- common: what they share (stages, tabs, access helpers, the office tabs' context).

Who gets in (the framework pages state their own rule):
- a round exists for a user when `queries.rounds_visible` lists it, otherwise 404; the office's pages
  and actions answer 403 to anyone else who can see the round (a rater, a leader);
- a participant is read through the scope (`Participant.objects.visible_to`), and its score card only
  when `queries.card_visible` allows (the office, or the organisation's people after publication);
- a rater reaches only the (participant, criterion) pairs they were assigned (others are 404), and
  their own organisation is shown as not ratable.
Every write goes through assessment.services, which checks all of it again.
"""
