import sys

from digistrat.cli import main

sys.exit(main())
