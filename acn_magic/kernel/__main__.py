"""`python -m acn_magic.kernel`: run the kernel (as kernel.json does), or `... install [--user|--sys-prefix|--prefix P]`."""
from __future__ import annotations

import sys

if len(sys.argv) > 1 and sys.argv[1] == "install":
    from acn_magic.kernel.install import main

    sys.exit(main(sys.argv[2:]))
else:
    from ipykernel.kernelapp import IPKernelApp

    from acn_magic.kernel.kernel import AcnKernel

    IPKernelApp.launch_instance(kernel_class=AcnKernel)
