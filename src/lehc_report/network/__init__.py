"""The report across cohorts (issue 16): a network file, every cohort's effects, the
random-effects pooling, and a small Jupyter Book that presents them."""
