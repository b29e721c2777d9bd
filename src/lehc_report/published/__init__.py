"""Everything that belongs to the 2013 report: its published table (``appendix3``), the
integer-lattice arithmetic behind it (``lattice``), the consistency audit (``audit``) and
the cell-by-cell comparison with a reproduction (``comparison``).  Nothing general imports
from here; the stages do, for the cohorts that ask to be compared with 2013."""
