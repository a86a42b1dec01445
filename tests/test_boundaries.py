"""The architecture, held by tests: front ends use only the core's public interface, and the
core's layers import downwards only (method <- chat <- push), never a platform."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

import assistant

ROOT = Path(__file__).resolve().parent.parent
PLATFORM_PACKAGES = ("telegram", "slack_bolt", "slack_sdk", "lark_oapi", "dingtalk_stream", "handlers", "storage",
                     "sqlalchemy")


def imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) for every import in a file, `import x` giving (x, [])."""
    found: list[tuple[str, list[str]]] = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, [alias.name for alias in node.names]))
        elif isinstance(node, ast.Import):
            found.extend((alias.name, []) for alias in node.names)
    return found


def outside_files() -> list[Path]:
    return sorted((ROOT / "handlers").glob("*.py")) + [ROOT / "bot.py"] + sorted((ROOT / "bench").glob("*.py"))


@pytest.mark.parametrize("path", outside_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_front_ends_import_only_public_names_of_the_core(path):
    for module, names in imports(path):
        if module == "assistant" or module.startswith("assistant."):
            assert module == "assistant", f"{path.name} imports {module}: use `from assistant import …`"
            unknown = [name for name in names if name not in assistant.__all__]
            assert not unknown, f"{path.name} imports {unknown}, which `assistant.__all__` does not export"


def core_files(layer: str) -> list[Path]:
    return sorted((ROOT / "assistant" / layer).rglob("*.py"))


# What each layer may import of ours, besides itself.
ALLOWED = {
    "method": (),
    "transfer": ("assistant.method", "assistant.events", "assistant.i18n", "assistant.unit_of_work"),
    "chat": ("assistant.method", "assistant.transfer", "assistant.events", "assistant.i18n", "assistant.clock",
             "assistant.unit_of_work"),
    "push": ("assistant.method", "assistant.transfer", "assistant.chat", "assistant.events", "assistant.i18n",
             "assistant.clock", "assistant.unit_of_work"),
}


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layers_import_downwards_only(layer):
    own = f"assistant.{layer}"
    for path in core_files(layer):
        for module, _ in imports(path):
            if module.split(".")[0] in PLATFORM_PACKAGES:
                pytest.fail(f"{path.relative_to(ROOT)} imports {module}: the core knows no platform or database")
            if module.startswith("assistant") and not module.startswith(own):
                assert module.startswith(ALLOWED[layer]), f"{path.relative_to(ROOT)} imports {module}"


def test_the_unit_of_work_protocol_needs_only_the_domain():
    for module, _ in imports(ROOT / "assistant" / "unit_of_work.py"):
        if module.startswith("assistant"):
            assert module.startswith(("assistant.method", "assistant.events")), f"unit_of_work.py imports {module}"


def test_the_core_imports_no_platform_or_storage():
    for path in sorted((ROOT / "assistant").rglob("*.py")):
        for module, _ in imports(path):
            assert module.split(".")[0] not in PLATFORM_PACKAGES, f"{path.relative_to(ROOT)} imports {module}"


def test_every_public_name_exists():
    missing = [name for name in assistant.__all__ if not hasattr(assistant, name)]
    assert not missing
