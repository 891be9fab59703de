"""Run the service: python -m <package>."""

from .app import main

main()
