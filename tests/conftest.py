pytest_plugins = ["services.core.testing"]
