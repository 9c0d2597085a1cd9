"""The generated tables of docs/scenarios.md: every lever, uncertainty and model parameter from the registry.

    python -m sim.scenario.docs        # rewrite the generated block (tests fail when it is out of date)

Also the mechanism other generated docs reuse (`sim.inputs.docs` for docs/model.md): a generated block is the
text between a BEGIN and an END marker comment (`read_block`, `rewrite_block`), and table cells are written by
`number`, `table_row` and `value_range`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..inputs.registry import LEVERS, PARAMETERS, UNCERTAINTIES, Param
from .resolve import PROJECT_DIR

DOC = PROJECT_DIR / "docs" / "scenarios.md"
DOC_BEGIN = "<!-- BEGIN GENERATED PARAMETER TABLES (python -m sim.scenario.docs) -->"
DOC_END = "<!-- END GENERATED PARAMETER TABLES -->"


def number(x: float) -> str:
    """A number as a table cell (`%g`)."""
    return f"{x:g}"


def table_row(cells: list[str]) -> str:
    """One row of a markdown table (a `|` inside a cell is escaped)."""
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


def value_range(p: Param) -> str:
    """The allowed range of an input, as a table cell."""
    text = f"{number(p.low)} to {number(p.high)}"
    return text + (" (whole numbers)" if p.integer else "")



def parameter_tables_markdown() -> str:
    """The lever, uncertainty and parameter tables of docs/scenarios.md, generated from the registry."""
    lines = []
    for title, registry in (("Levers (`levers:`)", LEVERS), ("Uncertainties (`uncertainties:`)", UNCERTAINTIES)):
        lines += [f"### {title}", "", "| Key | Group | Unit | Default (2013) | Range | Meaning | Source |",
                  "|---|---|---|---|---|---|---|"]
        lines += [table_row([f"`{p.name}`", p.group, p.unit, number(p.default), value_range(p), p.meaning,
                              p.reference or "-"])
                  for p in registry.values()]
        lines.append("")
    lines += ["### Model parameters (`parameters:`)", "",
              "Constants for the whole run. Role: `start` anchors the 2013 state, `behaviour` sets a response "
              "(what sensitivity analysis varies), `numerical` is an implementation setting.", "",
              "| Key | Group | Role | Unit | Default | Range | Meaning | Source |", "|---|---|---|---|---|---|---|---|"]
    lines += [table_row([f"`{p.name}`", p.group, p.role, p.unit, number(p.default), value_range(p), p.meaning,
                         p.reference or "-"]) for p in PARAMETERS.values()]
    return "\n".join(lines).rstrip() + "\n"


def read_block(text: str, begin: str, end: str) -> str:
    """The text between the markers `begin` and `end` (a ValueError names a missing marker)."""
    for marker in (begin, end):
        if marker not in text:
            raise ValueError(f"marker not found: {marker}")
    return text.split(begin, 1)[1].split(end, 1)[0]


def rewrite_block(text: str, begin: str, end: str, content: str) -> str:
    """`text` with the block between `begin` and `end` replaced by `content` (a blank line after `begin`)."""
    read_block(text, begin, end)
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{begin}\n\n{content}\n{end}{tail}"


def generated_block(text: str) -> str:
    """The generated block of a docs/scenarios.md text."""
    return read_block(text, DOC_BEGIN, DOC_END)


def update_docs(doc: Path = DOC) -> bool:
    """Rewrite the generated block of docs/scenarios.md; True if it changed."""
    text = doc.read_text(encoding="utf-8")
    new = rewrite_block(text, DOC_BEGIN, DOC_END, parameter_tables_markdown())
    if new != text:
        doc.write_text(new, encoding="utf-8")
        return True
    return False


if __name__ == "__main__":
    print(f"{DOC.relative_to(PROJECT_DIR)} " + ("updated" if update_docs() else "up to date"))
    sys.exit(0)
