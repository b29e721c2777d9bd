"""``python -m lehc_report.tools.execute``: run the book's out-of-date notebooks.

A package's ``__main__`` on purpose: multiprocessing re-runs a caller's main module in
each process it starts, unless that module is a ``__main__`` (see
:mod:`lehc_report.tools.forked_kernels`); here nothing of this process is re-run in the
notebooks' kernels.  The fork server is started first, so that it imports the analysis
stack while this process imports its own.
"""

from lehc_report.tools.forked_kernels import start_fork_server

start_fork_server()

from lehc_report.tools.execute import main  # noqa: E402

main()
