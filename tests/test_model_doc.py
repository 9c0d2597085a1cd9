"""docs/model.md, the ODD+D model description: its generated tables are up to date, every input and metric is in
them, and every input the model reads is named in the hand-written account of the mechanisms."""

from __future__ import annotations

import re

import pytest

from sim.inputs import docs
from sim.inputs.registry import ALL_INPUTS
from sim.outcomes.metrics import METRICS

TEXT = docs.MODEL_DOC.read_text(encoding="utf-8")
REGENERATE = "run: python -m sim.inputs.docs"


def hand_written(text: str) -> str:
    """The document without its generated sections."""
    for name in docs.SECTIONS:
        begin, end = docs.markers(name)
        head, rest = text.split(begin, 1)
        text = head + rest.split(end, 1)[1]
    return text


@pytest.mark.parametrize("name", docs.SECTIONS)
def test_generated_sections_are_up_to_date(name):
    written = docs.generated(TEXT)[name]
    assert written.strip() == docs.sections()[name].strip(), REGENERATE


def test_every_input_and_metric_has_a_row():
    written = docs.generated(TEXT)
    for name, p in ALL_INPUTS.items():
        row = next((line for line in written["inputs"].splitlines() if line.startswith(f"| `{name}` |")), None)
        assert row is not None, f"{name} is not in docs/model.md; {REGENERATE}"
        assert (p.reference or "-") in row.replace("\\|", "|")
    for name in METRICS:
        assert f"| `{name}` |" in written["metrics"], f"metric {name} is not in docs/model.md; {REGENERATE}"


def test_every_input_the_model_reads_is_in_the_account_of_the_mechanisms():
    prose = hand_written(TEXT)
    missing = [name for name in docs.readers() if not re.search(rf"(?<![A-Za-z0-9_]){name}(?![A-Za-z0-9_])", prose)]
    assert not missing, f"inputs the model reads that docs/model.md never explains: {missing}"


def test_every_state_field_is_described():
    from sim.engine.people import Households, Persons
    from sim.engine.places import Cities, Counties

    state = docs.generated(TEXT)["state"]
    for fields in (Households.FIELDS, Persons.FIELDS, Counties.FIELDS, Cities.FIELDS):
        for field in fields:
            assert f"| `{field}` |" in state, field


def test_the_document_follows_odd_d():
    headings = [line for line in TEXT.splitlines() if line.startswith("#")]
    for title in ("1.1 Purpose and patterns", "1.2 Entities, state variables and scales",
                  "1.3 Process overview and scheduling", "2.1 Theoretical and empirical background",
                  "2.2 Individual decision-making", "2.3 Learning", "2.4 Individual sensing",
                  "2.5 Individual prediction", "2.6 Interaction", "2.7 Collectives", "2.8 Heterogeneity",
                  "2.9 Stochasticity", "2.10 Observation", "3.1 Implementation details", "3.2 Initialization",
                  "3.3 Input data", "3.4 Submodels", "## 4. Outcomes", "## 5. Parameters"):
        assert any(title in h for h in headings), title


def test_a_missing_marker_is_an_error_not_a_silent_skip(tmp_path):
    doc = tmp_path / "model.md"
    doc.write_text("no markers here\n", encoding="utf-8")
    with pytest.raises(ValueError, match="marker not found"):
        docs.update_model_doc(doc)
