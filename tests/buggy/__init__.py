"""Student implementations of the graded exercises, right and wrong, for tests/test_grading_*.py.

They are written the way students write them (loops over output positions, one small bug each),
independently of course_lib. `CORRECT` and `BUGGY` list them by exercise.
"""

from . import convolution, filters, gradients, pooling, upsampling  # noqa: F401 - fills the catalogue
from . import bilinear  # noqa: F401,E402 - the bilinear-kernel exercises
from . import unet  # noqa: F401,E402 - the U-Net exercises
from .catalogue import BUGGY, CORRECT

__all__ = ["BUGGY", "CORRECT"]
