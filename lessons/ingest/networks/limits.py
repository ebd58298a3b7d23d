"""Size limits of a network upload.

Readers look them up here when they run (``limits.MAX_ELEMENTS``), so one setting governs every format.
"""

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_ELEMENTS = 200_000
