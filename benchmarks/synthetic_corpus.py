"""Deterministic synthetic robotics-like corpus for search benchmarks, loaded straight into the stores.

Text: each chunk belongs to one of ~40 robotics topics and is built from sentence templates filled with
that topic's terms plus a shared general vocabulary (seeded `random.Random`), 60-200 words, with a
heading trail, like the real book's sections. Rows go into books/chapters/documents/chunks with
asyncpg COPY (the `tsv` column is a generated column, so Postgres computes it as in production).

Vectors: real all-MiniLM-L6-v2 embeddings of BASE_TEXTS generated chunk texts (8 per topic) — the
only model calls — then every chunk gets the vector of a random base text of ITS topic plus Gaussian
noise (noise norm ~0.35, cosine to the base ~0.94) and is re-normalised. Why: encoding 100k chunks
with MiniLM would take ~2 h on 2 cores, while i.i.d. random vectors would give an unrealistically
uniform space (HNSW and filtering behave differently on clustered data). Base vectors keep the real
model's geometry and topic clusters, so a real query embedding lands near the chunks of its topic;
the noise keeps points distinct so the index does not collapse on duplicates.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

BOOK_ID = "synthetic-robotics"
LANGUAGE = "en"
CHUNKS_PER_DOCUMENT = 25
BASE_PER_TOPIC = 8
NOISE_NORM = 0.35

TOPICS: dict[str, list[str]] = {
    "forward kinematics": [
        "joint angle",
        "link length",
        "Denavit-Hartenberg parameters",
        "homogeneous transform",
        "end effector pose",
        "serial chain",
    ],
    "inverse kinematics": [
        "Jacobian pseudo-inverse",
        "damped least squares",
        "joint limits",
        "redundant manipulator",
        "closed-form solution",
        "singularity",
    ],
    "PID control": [
        "proportional gain",
        "integral windup",
        "derivative kick",
        "steady-state error",
        "setpoint",
        "overshoot",
    ],
    "model predictive control": [
        "prediction horizon",
        "cost function",
        "constraint",
        "quadratic program",
        "receding horizon",
        "state trajectory",
    ],
    "legged locomotion": [
        "zero moment point",
        "gait cycle",
        "stance phase",
        "swing leg",
        "center of mass",
        "support polygon",
    ],
    "bipedal balance": [
        "capture point",
        "ankle strategy",
        "hip strategy",
        "push recovery",
        "inverted pendulum",
        "whole-body controller",
    ],
    "computer vision": [
        "convolutional network",
        "feature map",
        "image segmentation",
        "object detection",
        "bounding box",
        "camera intrinsics",
    ],
    "depth sensing": [
        "stereo disparity",
        "point cloud",
        "time of flight",
        "structured light",
        "depth map",
        "LiDAR return",
    ],
    "SLAM": ["loop closure", "pose graph", "landmark", "occupancy grid", "odometry drift", "bundle adjustment"],
    "sensor fusion": [
        "Kalman filter",
        "covariance",
        "measurement update",
        "IMU bias",
        "extended Kalman filter",
        "complementary filter",
    ],
    "path planning": [
        "A* search",
        "RRT",
        "configuration space",
        "collision checking",
        "cost map",
        "probabilistic roadmap",
    ],
    "trajectory optimization": [
        "spline",
        "jerk limit",
        "time parameterization",
        "direct collocation",
        "smoothness cost",
        "waypoint",
    ],
    "reinforcement learning": [
        "reward function",
        "policy gradient",
        "value function",
        "exploration",
        "replay buffer",
        "PPO",
    ],
    "imitation learning": [
        "behavior cloning",
        "demonstration data",
        "teleoperation",
        "distribution shift",
        "DAgger",
        "action chunking",
    ],
    "vision-language-action models": [
        "language instruction",
        "action token",
        "transformer backbone",
        "pretrained vision encoder",
        "generalist policy",
        "cross-embodiment data",
    ],
    "sim-to-real transfer": [
        "domain randomization",
        "physics simulator",
        "reality gap",
        "system identification",
        "actuator model",
        "sensor noise model",
    ],
    "grasping": ["grasp quality", "force closure", "gripper", "suction cup", "contact point", "antipodal grasp"],
    "dexterous manipulation": [
        "in-hand rotation",
        "tactile sensor",
        "finger gaiting",
        "contact-rich task",
        "dexterous hand",
        "slip detection",
    ],
    "actuators": [
        "brushless motor",
        "harmonic drive",
        "series elastic actuator",
        "torque density",
        "backdrivability",
        "gear ratio",
    ],
    "robot dynamics": [
        "mass matrix",
        "Coriolis term",
        "gravity compensation",
        "Newton-Euler recursion",
        "Lagrangian",
        "joint torque",
    ],
    "force control": [
        "impedance control",
        "admittance control",
        "stiffness",
        "contact force",
        "hybrid position/force control",
        "compliance",
    ],
    "ROS 2": ["node", "topic", "publisher", "subscriber", "launch file", "quality of service"],
    "robot middleware": ["message passing", "DDS", "latency", "serialization", "real-time executor", "transform tree"],
    "safety": [
        "emergency stop",
        "safety-rated monitored stop",
        "speed and separation monitoring",
        "risk assessment",
        "ISO 10218",
        "collaborative robot",
    ],
    "human-robot interaction": [
        "intent prediction",
        "shared autonomy",
        "gesture recognition",
        "trust",
        "proxemics",
        "natural language interface",
    ],
    "mobile robots": [
        "differential drive",
        "wheel odometry",
        "holonomic base",
        "skid steering",
        "velocity command",
        "docking station",
    ],
    "localization": [
        "particle filter",
        "Monte Carlo localization",
        "map matching",
        "GNSS",
        "scan matching",
        "pose estimate",
    ],
    "tactile sensing": [
        "pressure array",
        "GelSight",
        "shear force",
        "contact geometry",
        "skin sensor",
        "vibration signal",
    ],
    "humanoid hardware": [
        "degrees of freedom",
        "battery pack",
        "torso",
        "waist joint",
        "foot sensor",
        "thermal management",
    ],
    "embodied AI": [
        "world model",
        "foundation model",
        "embodiment",
        "task planning",
        "affordance",
        "open-vocabulary perception",
    ],
    "task planning": [
        "PDDL",
        "behavior tree",
        "state machine",
        "symbolic planner",
        "task decomposition",
        "precondition",
    ],
    "calibration": [
        "hand-eye calibration",
        "checkerboard",
        "extrinsics",
        "reprojection error",
        "kinematic calibration",
        "time synchronization",
    ],
    "state estimation": [
        "observer",
        "contact estimation",
        "floating base",
        "velocity estimate",
        "leg odometry",
        "invariant EKF",
    ],
    "motion capture": ["marker", "retargeting", "skeleton", "keyframe", "human demonstration", "motion prior"],
    "energy efficiency": [
        "cost of transport",
        "regenerative braking",
        "passive dynamics",
        "power budget",
        "efficiency map",
        "elastic energy storage",
    ],
    "multi-robot systems": [
        "fleet",
        "task allocation",
        "consensus",
        "formation control",
        "communication graph",
        "decentralized planning",
    ],
    "perception pipelines": [
        "preprocessing",
        "inference latency",
        "GPU",
        "batching",
        "tracking",
        "non-maximum suppression",
    ],
    "optimization": [
        "gradient descent",
        "convexity",
        "Lagrange multiplier",
        "Hessian",
        "nonlinear least squares",
        "solver",
    ],
    "control theory": [
        "stability",
        "Lyapunov function",
        "transfer function",
        "feedback loop",
        "bandwidth",
        "phase margin",
    ],
    "ethics and deployment": [
        "privacy",
        "job displacement",
        "accountability",
        "regulation",
        "field trial",
        "maintenance",
    ],
}
GENERAL = [
    "robot",
    "system",
    "controller",
    "sensor",
    "model",
    "data",
    "signal",
    "motion",
    "environment",
    "task",
    "joint",
    "policy",
    "estimate",
    "error",
    "frequency",
    "real world",
    "hardware",
    "software",
    "loop",
    "frame",
]
TEMPLATES = [
    "The {a} determines how the {g} responds when the {b} changes.",
    "In practice, engineers tune the {a} before they adjust the {b}.",
    "A poorly chosen {a} leads to {g} instability and a larger {b}.",
    "We can compute the {a} from the {b} using a few lines of linear algebra.",
    "Modern humanoids combine {a} with {b} to handle the {g} robustly.",
    "The {b} is measured at a high {g2} so that the {a} stays accurate.",
    "Consider a {g} where the {a} is unknown; the {b} must then be estimated online.",
    "This section explains why the {a} matters for {topic}.",
    "Compared with classical methods, {topic} relies on the {a} and the {b}.",
    "When the {g} saturates, the {a} no longer tracks the {b}.",
    "Students often confuse the {a} with the {b}, but they play different roles in {topic}.",
    "Figure 3 shows the {a} of a {g} during a typical {b} experiment.",
    "The trade-off between the {a} and the {b} is central to {topic}.",
    "A simulation lets us test the {a} safely before running the {g} on hardware.",
]
HEADINGS = [
    "Overview",
    "Key ideas",
    "A worked example",
    "Common pitfalls",
    "In practice",
    "Exercises",
    "Summary",
    "Mathematical background",
    "Design choices",
    "Further reading",
]
QUESTION_TEMPLATES = [
    "What is the {a} in {topic}?",
    "How does the {a} affect the {b}?",
    "Why does {topic} need a {a}?",
    "Explain the difference between {a} and {b}.",
    "How do I tune the {a} for a humanoid robot?",
    "what happens to the {b} when the {a} is wrong",
    "Give an example of {topic} using {a}.",
    "How is {a} used in {topic}?",
]


@dataclass(frozen=True, slots=True)
class SyntheticChunk:
    index: int
    topic: int
    heading_path: list[str]
    text: str


def _cap(name: str) -> str:
    return name[:1].upper() + name[1:]


def _sentence(rng: random.Random, topic: str, terms: list[str]) -> str:
    a, b = rng.sample(terms, 2)
    g, g2 = rng.sample(GENERAL, 2)
    return rng.choice(TEMPLATES).format(a=a, b=b, g=g, g2=g2, topic=topic)


def chunk(index: int, seed: int = 7) -> SyntheticChunk:
    """Chunk number `index`, the same for a given seed whatever else was generated."""
    rng = random.Random(seed * 1_000_003 + index)
    names = list(TOPICS)
    topic = (index // CHUNKS_PER_DOCUMENT * 7 + rng.randrange(3)) % len(names)
    name = names[topic]
    terms = TOPICS[name]
    # a few borrowed terms from a neighbouring topic, as real sections cross-reference
    neighbour = TOPICS[names[(topic + 1) % len(names)]]
    sentences, words = [], 0
    target = rng.randint(60, 200)
    while words < target:
        s = _sentence(rng, name, terms if rng.random() > 0.15 else neighbour)
        sentences.append(s)
        words += len(s.split())
    heading = [_cap(name), rng.choice(HEADINGS)]
    return SyntheticChunk(index=index, topic=topic, heading_path=heading, text=" ".join(sentences))


def base_texts(seed: int = 7) -> list[tuple[int, str]]:
    """BASE_PER_TOPIC texts per topic (topic, embedding text) to embed with the real model."""
    out = []
    for topic_idx, name in enumerate(TOPICS):
        for k in range(BASE_PER_TOPIC):
            rng = random.Random(seed * 31 + topic_idx * 101 + k)
            text = " ".join(_sentence(rng, name, TOPICS[name]) for _ in range(rng.randint(5, 10)))
            out.append((topic_idx, f"{_cap(name)} › {rng.choice(HEADINGS)}\n\n{text}"))
    return out


def questions(count: int = 100, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    names = list(TOPICS)
    out = []
    for i in range(count):
        name = names[i % len(names)]
        a, b = rng.sample(TOPICS[name], 2)
        out.append(rng.choice(QUESTION_TEMPLATES).format(a=a, b=b, topic=name))
    return out


class VectorFactory:
    """Chunk vectors = base vector of the chunk's topic + small noise, re-normalised."""

    def __init__(self, base_topics: list[int], base_vectors: np.ndarray, seed: int = 7) -> None:
        self.by_topic: dict[int, np.ndarray] = {}
        for t in set(base_topics):
            self.by_topic[t] = base_vectors[[i for i, bt in enumerate(base_topics) if bt == t]]
        self.rng = np.random.default_rng(seed)
        self.dim = base_vectors.shape[1]

    def vectors(self, chunks: list[SyntheticChunk]) -> np.ndarray:
        picks = np.stack([self.by_topic[c.topic][self.rng.integers(len(self.by_topic[c.topic]))] for c in chunks])
        noise = self.rng.standard_normal(picks.shape).astype(np.float32) * (NOISE_NORM / np.sqrt(self.dim))
        out = picks + noise
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def _uuid(kind: str, n: int) -> uuid.UUID:
    return uuid.UUID(hashlib.md5(f"{kind}:{n}".encode()).hexdigest())


def document_id(doc: int) -> uuid.UUID:
    return _uuid("document", doc)


def doc_path(doc: int) -> str:
    return f"docs/part-{doc // 20:03d}/chapter-{doc:05d}.md"


async def ensure_book(conn) -> None:
    await conn.execute(
        "INSERT INTO books (id, title, default_language, source_root) VALUES ($1, $2, 'en', NULL) "
        "ON CONFLICT (id) DO NOTHING",
        BOOK_ID,
        "Synthetic robotics corpus",
    )


def _batches(start: int, stop: int, size: int) -> Iterator[range]:
    for s in range(start, stop, size):
        yield range(s, min(s + size, stop))


async def load_postgres(conn, start: int, stop: int, seed: int = 7) -> list[SyntheticChunk]:
    """COPY chunks [start, stop) and their chapters/documents (whole documents of CHUNKS_PER_DOCUMENT)."""
    assert start % CHUNKS_PER_DOCUMENT == 0 and stop % CHUNKS_PER_DOCUMENT == 0
    await ensure_book(conn)
    chunks = [chunk(i, seed) for i in range(start, stop)]
    docs = range(start // CHUNKS_PER_DOCUMENT, stop // CHUNKS_PER_DOCUMENT)
    names = list(TOPICS)
    chapter_rows, document_rows = [], []
    for d in docs:
        first = chunks[(d * CHUNKS_PER_DOCUMENT) - start]
        title = f"{_cap(names[first.topic])} ({d})"
        chapter_rows.append((_uuid("chapter", d), BOOK_ID, f"chapter-{d:05d}", doc_path(d), f"{d:08d}"))
        document_rows.append(
            (
                document_id(d),
                _uuid("chapter", d),
                BOOK_ID,
                LANGUAGE,
                doc_path(d),
                title,
                f"chapter-{d:05d}",
                float(d),
                "{}",
                "",
                f"hash{d}",
                1,
                CHUNKS_PER_DOCUMENT,
            )
        )
    await conn.copy_records_to_table(
        "chapters", records=chapter_rows, columns=["id", "book_id", "key", "source_path", "sort_key"]
    )
    await conn.copy_records_to_table(
        "documents",
        records=document_rows,
        columns=[
            "id",
            "chapter_id",
            "book_id",
            "language",
            "source_path",
            "title",
            "slug",
            "position",
            "front_matter",
            "markdown",
            "content_hash",
            "version",
            "chunk_count",
        ],
    )
    for batch in _batches(start, stop, 5000):
        rows = []
        for i in batch:
            c = chunks[i - start]
            d = i // CHUNKS_PER_DOCUMENT
            rows.append(
                (
                    _uuid("chunk", i),
                    document_id(d),
                    BOOK_ID,
                    LANGUAGE,
                    1,
                    i % CHUNKS_PER_DOCUMENT,
                    c.heading_path,
                    f"section-{i % CHUNKS_PER_DOCUMENT}",
                    " ".join([_cap(names[c.topic]), *c.heading_path]),
                    c.text,
                    int(len(c.text.split()) * 1.3),
                    False,
                    [],
                    False,
                )
            )
        await conn.copy_records_to_table(
            "chunks",
            records=rows,
            columns=[
                "id",
                "document_id",
                "book_id",
                "language",
                "version",
                "position",
                "heading_path",
                "anchor",
                "title_text",
                "text",
                "token_count",
                "has_code",
                "code_languages",
                "has_table",
            ],
        )
    return chunks


def chunk_id(index: int) -> uuid.UUID:
    return _uuid("chunk", index)
