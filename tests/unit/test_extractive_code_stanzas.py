"""The lines of a listing an answer shows do something a learner can copy: a whole statement (a call with
all its arguments), never a file name over its imports, nor a definition's signature without its body."""

from __future__ import annotations

from typing import Any

from tests.unit.extractive_support import answer, hit

from booktutor.extractive.excerpts import MAX_STATEMENT_LINES, code_excerpts, with_body

OVEN = '''## Registering Recipes

The oven node keeps a table of what it can bake, each with its temperature and its steps.

```python
class OvenNode(Node):
    """Node driving the kitchen oven."""

    def __init__(self):
        super().__init__('oven_node')

        # Register a recipe with its temperature and steps
        self.register_recipe(
            'sourdough',
            230.0,
            RecipeSteps(
                preheat_minutes=30,
                bake_minutes=40,
                steam=True
            )
        )
```
'''
THERMOMETER = '''## Reading the Oven Thermometer

The thermometer node converts each raw probe reading into degrees and smooths it.

```python
# src/thermometer.py
import serial
import numpy as np

class ProbeReader:
    """Reads the oven probe over a serial line."""

    def __init__(self, port: str = '/dev/ttyUSB0', baud: int = 9600):
        self.link = serial.Serial(port, baud)
        self.history = []

    def probe_callback(self, raw: int):
        """Process incoming probe readings."""
        volts = raw * 5.0 / 1023

        if volts < 0.1:
            self.get_logger().warn('probe unplugged')
            return

        # Convert to degrees and smooth
        degrees = (volts - 0.5) * 100.0
        self.history.append(degrees)
        smoothed = np.mean(self.history[-5:])
        self.publish_temperature(smoothed)
```
'''


def listing(page: str) -> str:
    return page.split("```python\n")[1].split("```")[0]


def test_a_stanza_is_never_cut_inside_a_call() -> None:
    excerpts = code_excerpts(listing(OVEN), "python")
    call = next(e for e in excerpts if "self.register_recipe(" in e)
    assert call.endswith("steam=True\n    )\n)"), call
    assert all(e.count("(") == e.count(")") for e in excerpts), excerpts


def test_a_call_longer_than_a_stanza_gives_no_half_of_it() -> None:
    arguments = "\n".join(f"    step_{i}=True," for i in range(20))
    assert code_excerpts(f"# Bake everything\nbake(\n{arguments}\n)", "python") == []


def test_a_file_name_over_its_imports_is_no_excerpt() -> None:
    assert not any("import serial" in e for e in code_excerpts(listing(THERMOMETER), "python"))


def test_shell_brackets_do_not_hold_a_stanza_open() -> None:
    command = "# Bridge the probe topic\nros2 run bridge bridge /probe@msg/Temp[gz.Temp\nros2 topic echo /probe"
    assert code_excerpts(command, "bash") == [command]


def test_a_bare_definition_is_shown_with_the_start_of_its_body() -> None:
    code = listing(THERMOMETER)
    bare = next(e for e in code_excerpts(code, "python") if e.startswith("def probe_callback"))
    shown = with_body(bare, code)
    assert shown.startswith(bare + "\n\n    if volts < 0.1:")
    assert shown.endswith("        return")  # the next stanza would pass the limit
    assert len(shown.splitlines()) <= MAX_STATEMENT_LINES


def test_lines_that_do_something_are_shown_as_they_are() -> None:
    code = listing(THERMOMETER)
    doing = next(e for e in code_excerpts(code, "python") if e.startswith("# Convert"))
    assert with_body(doing, code) == doing


async def test_how_to_register_shows_the_whole_call(embedder: Any) -> None:
    composed = await answer("How do I register a recipe?", [hit(1, OVEN, "Registering Recipes", "code")], embedder)
    assert "self.register_recipe(" in composed.text, composed.text
    assert "steam=True\n    )\n)\n```" in composed.text, composed.text


async def test_how_to_process_readings_shows_what_the_callback_does(embedder: Any) -> None:
    page = hit(1, THERMOMETER, "Reading the Oven Thermometer", "code")
    composed = await answer("How do I process probe readings?", [page], embedder)
    assert "def probe_callback" in composed.text, composed.text
    assert "if volts < 0.1:" in composed.text, composed.text


async def test_how_to_add_a_sensor_shows_no_bare_imports(embedder: Any) -> None:
    page = hit(1, THERMOMETER, "Reading the Oven Thermometer", "code")
    composed = await answer("How do I add a thermometer probe to my oven?", [page], embedder)
    assert "```python\n# src/thermometer.py\nimport serial" not in composed.text, composed.text


def test_a_log_line_is_no_excerpt() -> None:
    code = "# Report the new limits\nself.get_logger().info(\n    f'oven limit={self.limit}'\n)"
    assert code_excerpts(code, "python") == []
    callback = 'def on_ready(self):\n    """Say the oven is hot."""\n    print(\'oven ready\')'
    assert code_excerpts(callback, "python") == [callback]
