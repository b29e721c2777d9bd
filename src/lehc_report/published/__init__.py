"""Everything that belongs to the 2013 report: its published table, its arithmetic, the audit."""
