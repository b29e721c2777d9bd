"""Imported by the kernels' fork server alone: importing it imports what every kernel needs.

multiprocessing's fork server preloads modules by name, so the work is done on import;
see :func:`lehc_report.tools.forked_kernels.preload`.
"""

from lehc_report.tools.forked_kernels import preload

preload()
