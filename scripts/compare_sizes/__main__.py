"""Entry point: python3 -m compare_sizes (scripts/compare-sizes.sh runs it)."""
import os
import sys

from .cli import main

sys.exit(main(sys.argv[1:], os.environ))
