// Everything is `static inline` in include/CScanKernels.h; SwiftPM needs one source file.
#include "CScanKernels.h"
