from services.common.main import run_process

run_process("collector")
