"""Locust users for benchmarks/load_test.py (run headless by it; not meant for the web UI).

  locust -f benchmarks/locustfile.py --headless ContentReader --target-rps 100 -u 100 ...
  locust -f benchmarks/locustfile.py --headless ChatRunner --target-rps 10 -u 20 ...

--target-rps is the total rate over all users: each user runs constant_throughput(target / users), so a
user whose requests get slower than its pacing falls behind (achieved < target) instead of piling up.
Locust spawns a whole second's users at once; each user therefore waits a random part of its pacing
interval before its first task, so that requests arrive spread out instead of in one burst per interval.
The statistics are reset --warmup seconds after the start, once every user is in its rhythm.

ContentReader: a reader's mix on the content API (chapter GET, table of contents, book list, hybrid
search). ChatRunner: one AG-UI run per task on POST /api/v1/agent/run, reading the SSE stream to its
end; each run reports two custom events besides the POST itself: "time to first text" (send → first
TEXT_MESSAGE_CONTENT) and "run" (send → RUN_FINISHED), both of request type SSE.
"""

from __future__ import annotations

import random
import time
import uuid

import gevent
import requests
from locust import HttpUser, constant_throughput, events, task
from locust.contrib.fasthttp import FastHttpUser

API = "/api/v1"
SEARCHES = [
    "What is a ROS 2 node?",
    "How does a humanoid keep its balance?",
    "inverse kinematics of an arm",
    "Which sensors does a robot use to perceive the world?",
    "What is a digital twin?",
    "torque limits of actuators",
    "vision-language-action model",
    "safety around humans",
]
QUESTION = "How does the robot control loop work?"
CHAPTERS: list[str] = []


@events.init_command_line_parser.add_listener
def _options(parser) -> None:
    parser.add_argument("--target-rps", type=float, default=10.0, help="total task runs per second")
    parser.add_argument("--book-id", default="physical-ai-short-course")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds before the statistics are reset")


@events.test_start.add_listener
def _prepare(environment, **_kwargs) -> None:
    book = environment.parsed_options.book_id
    listing = requests.get(f"{environment.host}{API}/books/{book}/chapters", timeout=30).json()
    CHAPTERS[:] = [c["id"] for c in listing["chapters"]]
    gevent.spawn_later(environment.parsed_options.warmup, environment.stats.reset_all)


def _interval(user) -> float:
    options = user.environment.parsed_options
    return options.num_users / options.target_rps


def _paced(user) -> float:
    return constant_throughput(1 / _interval(user))(user)


def _random_phase(user) -> None:
    gevent.sleep(random.uniform(0, _interval(user)))


class ContentReader(FastHttpUser):
    wait_time = _paced

    def on_start(self) -> None:
        _random_phase(self)

    @task(6)
    def chapter(self) -> None:
        book = self.environment.parsed_options.book_id
        self.client.get(f"{API}/books/{book}/chapters/{random.choice(CHAPTERS)}", name="chapter")

    @task(2)
    def table_of_contents(self) -> None:
        self.client.get(f"{API}/books/{self.environment.parsed_options.book_id}/chapters", name="table of contents")

    @task(1)
    def book_list(self) -> None:
        self.client.get(f"{API}/books", name="book list")

    @task(1)
    def search(self) -> None:
        params = {"q": random.choice(SEARCHES), "book_id": self.environment.parsed_options.book_id, "k": 8}
        self.client.get(f"{API}/search", params=params, name="search")


class ChatRunner(HttpUser):
    wait_time = _paced

    def on_start(self) -> None:
        token = self.client.get(f"{API}/threads", name="guest token").headers["X-Guest-Token"]
        self.client.headers["X-Guest-Token"] = token
        _random_phase(self)

    @task
    def chat_run(self) -> None:
        started = time.perf_counter()
        first_text, error = None, None
        try:
            with self.client.post(
                f"{API}/agent/run", json=self._body(), stream=True, catch_response=True, name="agent/run (headers)"
            ) as response:
                if response.status_code != 200:
                    error = f"HTTP {response.status_code}"
                    response.failure(error)
                else:
                    first_text, error = _read_stream(response)
                    response.success()
        except requests.RequestException as exc:
            error = type(exc).__name__
        self._report(started, first_text, error)

    def _body(self) -> dict:
        return {
            "threadId": f"load-{uuid.uuid4().hex}",
            "runId": f"run-{uuid.uuid4().hex}",
            "state": {},
            "messages": [{"id": f"u-{uuid.uuid4().hex}", "role": "user", "content": QUESTION}],
            "tools": [],
            "context": [],
            "forwardedProps": {"bookId": self.environment.parsed_options.book_id},
        }

    def _report(self, started: float, first_text: float | None, error: str | None) -> None:
        fire = self.environment.events.request.fire
        if first_text is not None:
            fire(
                request_type="SSE",
                name="time to first text",
                response_time=(first_text - started) * 1000,
                response_length=0,
                exception=None,
                context={},
            )
        fire(
            request_type="SSE",
            name="run",
            response_time=(time.perf_counter() - started) * 1000,
            response_length=0,
            exception=RuntimeError(error) if error else None,
            context={},
        )


def _read_stream(response) -> tuple[float | None, str | None]:
    """Read SSE lines to the run's end: (time of the first text delta, error or None)."""
    first_text = None
    for line in response.iter_lines(decode_unicode=True):
        if not line or not line.startswith("data:"):
            continue
        if first_text is None and '"type":"TEXT_MESSAGE_CONTENT"' in line:
            first_text = time.perf_counter()
        elif '"type":"RUN_ERROR"' in line:
            return first_text, "RUN_ERROR"
        elif '"type":"RUN_FINISHED"' in line:
            return first_text, None if first_text else "no text"
    return first_text, "stream ended before RUN_FINISHED"
