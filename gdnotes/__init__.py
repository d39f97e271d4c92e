"""gdnotes: gradient descent, taught by code that runs.

The library behind the site: objectives, optimizers, runs, schedules, data, and the helpers
examples use to write their figures. ``import gdnotes as gd``.
"""

from . import regimes
from .outputs import Outputs, markdown_table
from .style import COLORS, figure, use_style
