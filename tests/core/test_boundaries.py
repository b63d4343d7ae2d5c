"""No service imports another service's code: they share only services/core (DESIGN.md)."""

import ast
from pathlib import Path

SERVICES = Path(__file__).resolve().parents[2] / "services"


def _packages() -> list[str]:
    return sorted(p.name for p in SERVICES.iterdir()
                  if (p / "__init__.py").exists() and p.name != "core")


def _imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_each_service_imports_only_itself_and_core():
    crossings = []
    packages = _packages()
    for package in packages:
        others = {f"services.{p}" for p in packages if p != package}
        for path in (SERVICES / package).rglob("*.py"):
            for name in _imported(path):
                if any(name == o or name.startswith(o + ".") for o in others):
                    crossings.append(f"{path.relative_to(SERVICES)} imports {name}")
    assert crossings == []


def test_core_imports_no_service():
    packages = {f"services.{p}" for p in _packages()}
    crossings = [f"{path.name} imports {name}" for path in (SERVICES / "core").rglob("*.py")
                 for name in _imported(path)
                 if any(name == p or name.startswith(p + ".") for p in packages)]
    assert crossings == []
