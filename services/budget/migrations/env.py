from services.common.database import run_migrations_online

run_migrations_online()
