"""TryOnBench itself: the fixed bench set, the requests models get, the baselines, the runner,
results and reports."""
