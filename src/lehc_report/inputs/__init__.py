"""Reading and validating what a cohort supplies: raw exports, framework, cohort settings, coded texts."""
