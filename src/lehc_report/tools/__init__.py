"""Not analysis: notebook execution, verification, PDF printing, QDPX export, benchmark, synthetic data."""
