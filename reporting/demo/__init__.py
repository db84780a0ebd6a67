"""The demo province's reports: three accepted years of the workforce report and a quarterly round in every state.

What `load_demo_reports()` adds to the demo province of orgs/demo.py (run it after `orgs.demo.load_demo`):

- WF_Y (yearly) for 2019, 2020 and 2021, every enterprise accepted; 2019 is locked by the office. The speech
  of July 2021 quotes the end-of-2020 figures, so the accepted 2020 totals are exactly the speech's
  (SPEECH_TOTALS): 730.75万 industrial workers, 278.26万 of them not migrant workers, 38.16万 certified
  (13.71% of non-migrant workers) and 69.998万 (近70万) with college or above (25.16%); over all workers
  the two rates would be 5.22% and 9.58%. 2019 is a little lower. Values are spread over the enterprises by
  industry (power, railway and finance: few migrant workers and many graduates; construction and
  agriculture: mostly migrant workers), with a handful of weak enterprises (WEAK_COUNT) far below the rest.
  2021 (ASSESSED_YEAR, what the demo's assessment round scores, assessment/demo.py) is a year on from 2020
  for each enterprise (`yearly_values_after`): a little larger, its rates moved by its own effort, its
  activities last year's scaled by its own trend; the province's totals are not fixed. Being the latest
  accepted year, 2021 is what the dashboard shows; the speech's figures are 2020's.
- WF_Q (quarterly) for the latest round whose entry has opened (`recent_rounds`, as of the real date) and
  the quarter before it. The earlier quarter is accepted and then locked by the office; the latest one
  holds reports in every state: not started, draft, submitted, returned (by the union, with its reason on
  one value, and by the office, for a section), approved by the union, accepted and locked. Some reports
  in every round were submitted late (within the grace days) and some were returned once and corrected.
  The demo accounts' own enterprise (昆明供电局) has a returned report waiting, 云南电网's union has two
  reports to approve and the office has reports to accept.

Everything is done through the reporting services (report_open, values_save, report_submit,
report_approve, report_return, report_accept, report_lock, period_lock), so it is validated, audited and
notified exactly as in real use, acting as real people: each enterprise's reporter, its group union's
administrator and the office's staff. The demo accounts of orgs/demo.py play their own enterprise and
union; the others get one demo account each here (`rep_<code>`, `ua_<code>`; same demo password, refused
when demo mode is off). A closed enterprise is reported for by its union's reporter (代报).

The story clock: every step runs at the time it happens in the story (reports of 2020 are submitted in
January 2021, the late ones after the deadline), so timeliness, the audit log and the inbox read as they
would have. While the reports are written, `django.utils.timezone.now` returns the story's time; it is
restored afterwards. Steps of the current round are placed between its opening and the real time of the
load. Notifications of the finished rounds are marked read at the end of those rounds.

Speed: a first load plays about 2,500 workflow steps for 602 reports, about 30 seconds of CPU on a 2-core
machine (SQLite; a busy machine takes longer); a second load finds every report and takes under a second.
`manage.py load_demo --without-reports` loads only the tree and the accounts.

Idempotent: a report that exists is left as it is (whatever happened to it since), a period already
locked stays locked; only missing reports are played. Everything is deterministic (seeded by
organisation code and period), so two loads of an empty database give the same values and states.
"""

from reporting.demo.figures import (
    ASSESSED_YEAR,
    DEFAULT_SECTOR,
    PREVIOUS_YEAR,
    SECTORS,
    SPEECH_TOTALS,
    SPEECH_YEAR,
    TOTALS,
    YEARS,
    Enterprise,
    Headcounts,
    ProvinceTotals,
    Sector,
    apportion,
    demo_enterprises,
    quarterly_values,
    yearly_headcounts,
    yearly_values,
    yearly_values_after,
)
from reporting.demo.stories import DemoReportsResult, current_rounds, load_demo_reports, story_clock, summary_lines

__all__ = [
    "ASSESSED_YEAR",
    "DEFAULT_SECTOR",
    "PREVIOUS_YEAR",
    "SECTORS",
    "SPEECH_TOTALS",
    "SPEECH_YEAR",
    "TOTALS",
    "YEARS",
    "DemoReportsResult",
    "Enterprise",
    "Headcounts",
    "ProvinceTotals",
    "Sector",
    "apportion",
    "current_rounds",
    "demo_enterprises",
    "load_demo_reports",
    "quarterly_values",
    "story_clock",
    "summary_lines",
    "yearly_headcounts",
    "yearly_values",
    "yearly_values_after",
]
