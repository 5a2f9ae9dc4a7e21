"""payloadTemplate rendering (contract §8.3): values are inserted once, and the output is
bounded however the template multiplies its placeholders."""

from __future__ import annotations

import pytest

from rendezvous.domain.webhooks import RENDERED_MAX, TemplateTooLarge, render_template


def test_a_value_holding_placeholders_is_not_rendered_again() -> None:
    data = {"title": "{{secret}}", "secret": "leak", "nested": {"a": "{{title}}"}}
    body, is_json = render_template('{"t":"{{title}}","n":"{{nested.a}}"}', data)
    assert is_json
    assert body == '{"t":"{{secret}}","n":"{{title}}"}'


def test_a_rendering_larger_than_the_limit_is_refused_while_rendering() -> None:
    data = {"responses": {"notes": "x" * 60_000}}
    template = "{{responses}}" * 5_000  # 65 KB of template, 300 MB if rendered
    with pytest.raises(TemplateTooLarge, match="exceeds"):
        render_template(template, data)
    body, _ = render_template("{{responses}}" * 10, data)
    assert len(body) < RENDERED_MAX


def test_missing_and_odd_paths_render_empty() -> None:
    data = {"attendees": [{"name": "A"}], "n": None, "b": False}
    body, is_json = render_template(
        "{{attendees.5.name}}|{{attendees.-1}}|{{n}}|{{b}}|{{}}|{{a.b.c}}|{{attendees.0.name}}",
        data,
    )
    assert (body, is_json) == ("|||false|||A", False)


def test_the_wire_enum_of_triggers_is_the_domain_list() -> None:
    """The OpenAPI enum (a Literal, for the document) and the domain's list never drift apart."""
    from typing import get_args

    from rendezvous.api.schemas.webhooks import TriggerName
    from rendezvous.domain.webhooks import TRIGGERS

    assert get_args(TriggerName) == TRIGGERS
