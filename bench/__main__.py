"""`python -m bench [--quick]`: the same as `cockpit bench`."""

from cockpit.cli import main

if __name__ == "__main__":
    import sys

    sys.argv = ["cockpit", "bench", *sys.argv[1:]]
    main()
