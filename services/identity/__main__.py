import sys

from services.common.main import run_process

if sys.argv[1:2] == ["admin"]:
    from services.identity.admin import main

    sys.exit(main(sys.argv[2:]))
run_process("identity")
