"""The architecture's layer rules, enforced: pyproject.toml's [tool.importlinter] contracts
(layers that point one way, no import cycles) checked with import-linter on the real code.
docs/architecture.md describes the layers; a new import that breaks them fails here."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_the_layer_contracts_hold(capsys, monkeypatch):
    from importlinter.cli import lint_imports

    monkeypatch.chdir(REPO)  # where pyproject.toml is
    code = lint_imports(no_cache=True, no_logo=True)
    report = capsys.readouterr().out
    assert code == 0, report
    assert "Layers point one way KEPT" in report and "No import cycles KEPT" in report


def test_a_broken_rule_is_found(tmp_path, capsys, monkeypatch):
    """The contracts can fail: the same rules over a copy of alagen in which the model
    imports the pipeline (an upward import) and yamlfile imports load (a cycle with load)."""
    import shutil
    import sys

    from importlinter.cli import lint_imports

    copy = tmp_path / "src"
    shutil.copytree(REPO / "src" / "alagen", copy / "alagen", ignore=shutil.ignore_patterns("__pycache__"))
    site = copy / "alagen" / "model" / "site.py"
    site.write_text(site.read_text(encoding="utf-8") + "\nfrom alagen import pipeline  # noqa\n", encoding="utf-8")
    yamlfile = copy / "alagen" / "yamlfile.py"
    yamlfile.write_text(yamlfile.read_text(encoding="utf-8") + "\nfrom alagen import load  # noqa\n", encoding="utf-8")
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [str(copy), *[p for p in sys.path if Path(p).resolve() != (REPO / "src").resolve()]])
    for name in [m for m in sys.modules if m == "alagen" or m.startswith("alagen.")]:
        monkeypatch.delitem(sys.modules, name)
    code = lint_imports(no_cache=True, no_logo=True)
    report = capsys.readouterr().out
    assert code == 1, report
    assert "Layers point one way BROKEN" in report and "No import cycles BROKEN" in report
    assert "alagen.model.site -> alagen.pipeline" in report


def test_the_module_table_names_every_module():
    """docs/architecture.md's table of modules: a new module is described there, or here it fails."""
    doc = (REPO / "docs/architecture.md").read_text(encoding="utf-8")
    package = REPO / "src/alagen"
    modules = [p.relative_to(package).as_posix() for p in package.rglob("*.py") if p.name != "__init__.py" and "starter" not in p.parts]
    names = lambda m: (m, m.rsplit("/", 1)[-1], m.rsplit("/", 1)[-1].removesuffix(".py"))  # noqa: E731
    missing = [m for m in modules if not any(f"`{name}`" in doc for name in names(m))]
    assert not missing, f"not in docs/architecture.md: {missing}"
