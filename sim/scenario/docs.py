"""The generated tables of docs/scenarios.md: every lever, uncertainty and model parameter from the registry.

    python -m sim.scenario.docs        # rewrite the generated block (tests fail when it is out of date)
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..inputs.registry import LEVERS, PARAMETERS, UNCERTAINTIES, Param
from .resolve import PROJECT_DIR

DOC = PROJECT_DIR / "docs" / "scenarios.md"
DOC_BEGIN = "<!-- BEGIN GENERATED PARAMETER TABLES (python -m sim.scenario.docs) -->"
DOC_END = "<!-- END GENERATED PARAMETER TABLES -->"


def _fmt(x: float) -> str:
    return f"{x:g}"


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


def _range(p: Param) -> str:
    text = f"{_fmt(p.low)} to {_fmt(p.high)}"
    return text + (" (whole numbers)" if p.integer else "")


def parameter_tables_markdown() -> str:
    """The lever, uncertainty and parameter tables of docs/scenarios.md, generated from the registry."""
    lines = []
    for title, registry in (("Levers (`levers:`)", LEVERS), ("Uncertainties (`uncertainties:`)", UNCERTAINTIES)):
        lines += [f"### {title}", "", "| Key | Group | Unit | Default (2013) | Range | Meaning | Source |",
                  "|---|---|---|---|---|---|---|"]
        lines += [_row([f"`{p.name}`", p.group, p.unit, _fmt(p.default), _range(p), p.meaning, p.reference or "-"])
                  for p in registry.values()]
        lines.append("")
    lines += ["### Model parameters (`parameters:`)", "",
              "Constants for the whole run. Role: `start` anchors the 2013 state, `behaviour` sets a response "
              "(what sensitivity analysis varies), `numerical` is an implementation setting.", "",
              "| Key | Group | Role | Unit | Default | Range | Meaning | Source |", "|---|---|---|---|---|---|---|---|"]
    lines += [_row([f"`{p.name}`", p.group, p.role, p.unit, _fmt(p.default), _range(p), p.meaning,
                    p.reference or "-"]) for p in PARAMETERS.values()]
    return "\n".join(lines).rstrip() + "\n"


def generated_block(text: str) -> str:
    """The generated block of a docs/scenarios.md text."""
    return text.split(DOC_BEGIN, 1)[1].split(DOC_END, 1)[0]


def update_docs(doc: Path = DOC) -> bool:
    """Rewrite the generated block of docs/scenarios.md; True if it changed."""
    text = doc.read_text(encoding="utf-8")
    head, rest = text.split(DOC_BEGIN, 1)
    _, tail = rest.split(DOC_END, 1)
    new = f"{head}{DOC_BEGIN}\n\n{parameter_tables_markdown()}\n{DOC_END}{tail}"
    if new != text:
        doc.write_text(new, encoding="utf-8")
        return True
    return False


if __name__ == "__main__":
    print(f"{DOC.relative_to(PROJECT_DIR)} " + ("updated" if update_docs() else "up to date"))
    sys.exit(0)
