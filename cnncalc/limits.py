"""Every bound cnncalc puts on its input, in one place (docs/spec.md, "Limits", lists them).

Specs and answer sheets are untrusted (homework, pull requests), so each size is bounded before it can
cost anything. This module imports nothing: the command line's options read it at start-up.
"""

from __future__ import annotations

MAX_FILE_BYTES = 2_000_000  # a spec or answer-sheet file, in bytes
MAX_YAML_DEPTH = 64  # nesting levels of YAML mappings and lists
MAX_YAML_NODES = 200_000  # YAML nodes once aliases are expanded: stops "billion laughs" before it costs anything
MAX_LAYERS = 100_000  # layers in a compiled network, after repeats and modules are expanded
MAX_REPEAT = 1000  # a `repeat:` count (YAML) or an `xN` word (cnncalc calc)
MAX_MODULE_DEPTH = 32  # modules calling modules
MAX_EXPRESSION_LENGTH = 200  # characters in one `$arg` expression of a module
MAX_INPUT_SIZE = 1_000_000  # each input dimension (channels, height, width, features): spec, --input, calc
MAX_BATCH = 1_000_000  # --batch, and a budget's `batch:`
MAX_OPTION_VALUE = 10_000_000  # a whole-number op option (filters, units, kernel, stride ...) and --head
MAX_RUN_REPEAT = 10_000  # `cnncalc run --repeat`: timed forward passes
MAX_MATRIX_TEXT_BYTES = 50_000_000  # `cnncalc run --input FILE` as a text matrix (an .npy file may be larger)
