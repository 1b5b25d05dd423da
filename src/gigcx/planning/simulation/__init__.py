"""A simulated day through the real code: people, the event loop, metrics, policy comparison."""
