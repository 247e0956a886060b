"""The QR code to the verification page, drawn as ONE vector path.

segno computes the module matrix once; each horizontal run of dark modules becomes one
rectangle of a single path that is filled once — a few hundred path operators instead of
thousands of separate shapes, and sharp at any print size."""
from __future__ import annotations

from functools import lru_cache

import segno

QUIET_ZONE = 2  # modules of white margin drawn around the code (the layout's box includes it)
# Every certificate's address differs, so nothing can be cached; choosing the best of the eight
# mask patterns was half of a certificate's drawing time. Any mask is valid for readers.
MASK = 5


@lru_cache(maxsize=4096)
def qr_matrix(payload: str) -> tuple[tuple[int, ...], ...]:
    qr = segno.make(payload, error="m", micro=False, mask=MASK)
    return tuple(tuple(row) for row in qr.matrix)


def dark_runs(matrix) -> list[tuple[int, int, int]]:
    """(column, row, length) of each horizontal run of dark modules, rows from the top."""
    runs = []
    for row_index, row in enumerate(matrix):
        start = None
        for column, module in enumerate(list(row) + [0]):
            if module and start is None:
                start = column
            elif not module and start is not None:
                runs.append((start, row_index, column - start))
                start = None
    return runs


def matrix_from_runs(runs, size: int) -> list[list[int]]:
    """The inverse of `dark_runs` (used by tests that read the drawn path back)."""
    matrix = [[0] * size for _ in range(size)]
    for column, row, length in runs:
        for offset in range(length):
            matrix[row][column + offset] = 1
    return matrix


def draw_qr(canvas, payload: str, x: float, y_top: float, size: float) -> None:
    """Draw the code in the square whose top-left corner is (x, y_top) in PDF points."""
    matrix = qr_matrix(payload)
    modules = len(matrix)
    module = size / (modules + 2 * QUIET_ZONE)
    canvas.saveState()
    # In module units from the code's top-left corner: integer rectangles, y downwards.
    canvas.translate(x + QUIET_ZONE * module, y_top - QUIET_ZONE * module)
    canvas.scale(module, -module)
    canvas.setFillColorRGB(0, 0, 0)
    path = canvas.beginPath()
    for column, row, length in dark_runs(matrix):
        path.rect(column, row, length, 1)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()
