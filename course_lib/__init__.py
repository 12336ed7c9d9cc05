"""course_lib: reference implementations, figures, widgets, data and checkers for the course.

Every array function takes numpy arrays (or anything `np.asarray` accepts), returns numpy
arrays, and equals its `torch.nn.functional` counterpart in value, shape and index convention.
PyTorch itself is only imported by `course_lib.unet`, so `import course_lib` stays fast.

    >>> import numpy as np, course_lib as cl
    >>> cl.corr2d(np.eye(3), np.ones((2, 2)))
    array([[2., 1.],
           [1., 2.]])
"""

from .convolution import (
    conv2d,
    conv_matrix,
    conv_output_size,
    corr2d,
    pad2d,
    receptive_field,
    same_padding,
)
from .filters import (
    gabor_kernel,
    gaussian_kernel,
    laplacian_of_gaussian,
    mean_kernel,
    median_filter,
    sobel_kernels,
)
from .noise import add_gaussian_noise, add_salt_and_pepper
from .pooling import (
    avg_pool2d,
    global_avg_pool2d,
    max_pool2d,
    max_unpool2d,
    min_pool2d,
    pool_output_size,
)
from .upsampling import (
    bed_of_nails,
    conv_transpose2d,
    conv_transpose2d_zero_insertion,
    conv_transpose_output_size,
    upsample_bilinear,
    upsample_nearest,
)
from .bilinear import bilinear_kernel, bilinear_upsample_weight, upsample_bilinear_by_transposed_conv
from .gradients import conv2d_backward, numeric_gradient
from .pooling import max_pool2d_backward

__version__ = "0.1.0"
