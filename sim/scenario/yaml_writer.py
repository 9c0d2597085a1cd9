"""Writes a resolved scenario as YAML text that the strict reader (`yaml_reader`) reads back exactly."""

from __future__ import annotations

from typing import Any

import yaml

from .yaml_reader import plain_text_is_safe


class _Dumper(yaml.SafeDumper):
    """Quotes text that would read back as something else (`1e3`, `no`, `2014-01-01`, ...); never aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


_LINE_BREAKS = set("\r\x85\u2028\u2029")


def _represent_str(dumper: yaml.SafeDumper, text: str):
    if any(c in _LINE_BREAKS or (not c.isprintable() and c != "\n") for c in text):
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style='"')  # escaped: exact on reading
    if "\n" in text:
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|")
    if not plain_text_is_safe(text):
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style='"')
    return dumper.represent_scalar("tag:yaml.org,2002:str", text)


_Dumper.add_representer(str, _represent_str)


def dump(data: Any) -> str:
    """`data` (plain dicts, lists, numbers and text) as block-style YAML, keys in the order given."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100,
                     default_flow_style=False)
