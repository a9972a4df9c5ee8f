"""booktutor: an agent-orchestrated conversational backend for interactive textbooks."""

__version__ = "0.1.0"
