"""Which dataset `make main` runs the chapters on: ``mnist-test`` (the paper's MNIST, its 10,000
test images) when the library finds it in the data directory or can download it there through its
own download path (torchvision), otherwise the built-in ``digits``, with a note on stderr. Prints
the name on stdout.

    python tools/pick_dataset.py --data-dir ../shared/data         # -> mnist-test or digits
"""

from __future__ import annotations

import argparse
import sys


def pick(data_dir, preferred: str = "mnist-test", fallback: str = "digits") -> str:
    import dec

    try:
        dec.load_dataset(preferred, data_dir=data_dir, download=True)
    except Exception as error:  # not found and no download: the chapters still run on digits
        print(
            f"NOTE: {preferred} is not in {data_dir} and could not be downloaded "
            f"({type(error).__name__}); the chapters run on the built-in {fallback!r} data, and each "
            "chapter says at the top that the paper's numbers need MNIST.",
            file=sys.stderr,
        )
        return fallback
    return preferred


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", required=True, help="folder with one subfolder per dataset")
    args = ap.parse_args(argv)
    print(pick(args.data_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
