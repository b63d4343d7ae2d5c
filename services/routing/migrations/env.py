from services.core.migrate import run_env
from services.routing.models import metadata

run_env(metadata)
