"""``python -m llmdecide``."""

from llmdecide.cli import main

main()
