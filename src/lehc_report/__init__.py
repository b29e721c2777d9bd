"""Leadership for Empowered and Healthy Communities: reproducible evaluation report.

All logic behind the report's notebooks lives in this package, where it is tested.
"""

__version__ = "0.1.0"
