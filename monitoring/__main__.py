import sys

from monitoring.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
