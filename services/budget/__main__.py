"""`python -m services.budget api|worker` (budget-api, budget-worker), and
`python -m services.budget prices-refresh [--out PATH]`, which `cloudsketch prices refresh` starts as
a process (the cloudsketch command imports no service)."""
import argparse
import sys

if sys.argv[1:2] == ["prices-refresh"]:
    from services.budget.refresh import refresh_command

    parser = argparse.ArgumentParser(prog="python -m services.budget prices-refresh")
    parser.add_argument("--out", help="where to write it (default: the packaged catalog)")
    sys.exit(refresh_command(parser.parse_args(sys.argv[2:]).out))

from services.common.main import run_process  # noqa: E402

run_process("budget")
