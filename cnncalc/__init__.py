"""cnncalc: a calculator for convolutional networks.

Importing the package is cheap on purpose: the CLI imports what each command needs.
"""

__version__ = "0.1.0"
