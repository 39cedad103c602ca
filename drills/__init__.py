"""Drills that prove nothing is lost (`make drill`; `DRILL_SCALE=short` for CI). See README, "Drills"."""
