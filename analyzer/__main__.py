"""``python -m analyzer``: the ``conduct`` command line."""

from analyzer.cli import main

if __name__ == "__main__":
    main()
