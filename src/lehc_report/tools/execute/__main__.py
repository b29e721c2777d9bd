"""``python -m lehc_report.tools.execute``: run the book's out-of-date notebooks.

A package's ``__main__`` on purpose: multiprocessing re-runs a caller's main module in
each process it starts, unless that module is a ``__main__`` (see
:mod:`lehc_report.tools.forked_kernels`); here nothing of this process is re-run in the
notebooks' kernels.  The fork server is started first, so that it imports the analysis
stack while this process imports its own.

multiprocessing's temporary folder (the fork server's socket) is made inside a private
temporary folder (:func:`lehc_report.tools.publish.private_tempdir`), which the next run
removes if this one is killed.  At exit multiprocessing removes its folder (a finalizer
of priority -100) and then this one goes (priority -101: finalizers run from the highest).
"""

import tempfile
from multiprocessing.util import Finalize

from lehc_report.tools.forked_kernels import kernel_sockets_folder, start_fork_server
from lehc_report.tools.publish import private_tempdir

if __name__ == "__main__":  # not when a tool imports every module of the package
    private = private_tempdir(kernel_sockets_folder(), "nb")  # short: a Unix socket path has ~100 bytes
    tempfile.tempdir = str(private.__enter__())
    Finalize(None, private.__exit__, args=(None, None, None), exitpriority=-101)
    start_fork_server()

    from lehc_report.tools.execute import main

    main()
