"""gigcx plan staff: the published example, JSON output and plain errors."""

import json

from tests.cli.test_cli import invoke

EXAMPLE = ("--calls", "100", "--interval-seconds", "1800", "--aht-seconds", "180")


def test_plan_staff_prints_the_answer_and_its_neighbours() -> None:
    result = invoke(
        "plan", "staff", *EXAMPLE, "--target", "0.8", "--answer-within", "20", "--shrinkage", "0.3"
    )

    assert result.exit_code == 0, result.output
    lines = [line.split() for line in result.output.splitlines()]
    assert ["14", "20", "0.8884", "0.1741", "7.84", "0.7143"] in lines
    assert ["13", "19", "0.7956", "0.2853", "17.12", "0.7692"] in lines
    assert "14 agents answering, 20 to schedule with 30% shrinkage" in result.output


def test_plan_staff_with_patience_prints_abandonment_as_json() -> None:
    result = invoke("plan", "staff", *EXAMPLE, "--patience-seconds", "300", "--json")

    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["model"] == "Erlang A"
    assert payload["agents"] == 13
    assert round(payload["abandonment"], 4) == 0.0250
    assert round(payload["service_level"], 4) == 0.8582


def test_plan_staff_refuses_a_target_of_80_instead_of_0_8() -> None:
    result = invoke("plan", "staff", *EXAMPLE, "--target", "80")

    assert result.exit_code == 1
    assert "the target service level must be between 0 and 1, e.g. 0.8" in result.output
