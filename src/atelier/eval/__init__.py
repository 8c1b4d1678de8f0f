"""Measuring Atelier: `metrics/` (each checked against an independent implementation),
`judges/` (who scores TryOnBench's four dimensions, and the networks they use) and `bench/`
(TryOnBench: the bench set, the baselines, the runner, results and reports)."""
