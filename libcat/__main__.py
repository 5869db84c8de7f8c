"""`python -m libcat` runs the libcat command."""

from libcat.cli import main

main()
