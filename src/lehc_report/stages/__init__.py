"""The analysis stages the notebooks call: short orchestrations over the other subpackages."""
