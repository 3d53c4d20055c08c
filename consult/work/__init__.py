"""Time and what to charge for it: billing rules, day totals, reports, logging, export,
imports from other trackers, and rates."""
