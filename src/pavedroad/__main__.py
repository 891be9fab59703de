"""Allow `python -m pavedroad`."""

from pavedroad.cli import main

main()
