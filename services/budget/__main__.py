"""`python -m services.budget prices-refresh [--out PATH]`: the budget's own command, which
`cloudsketch prices refresh` starts as a process (the cloudsketch command imports no service).
budget-api and budget-worker will start from here too."""
import argparse
import sys

from services.budget.refresh import refresh_command

if sys.argv[1:2] == ["prices-refresh"]:
    parser = argparse.ArgumentParser(prog="python -m services.budget prices-refresh")
    parser.add_argument("--out", help="where to write it (default: the packaged catalog)")
    sys.exit(refresh_command(parser.parse_args(sys.argv[2:]).out))
sys.exit("usage: python -m services.budget prices-refresh [--out PATH]")
