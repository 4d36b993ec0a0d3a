"""Scoring: the six dimension scores, the one decision rule, how robust it is, and why.

- ``dimensions``: each dimension's score of a plan, by documented rules;
- ``decision``: the one rule that picks the winner, for the point estimate and every scenario;
- ``robustness``: sensitivity sweeps, flip thresholds, Monte Carlo, fragility;
- ``explain``: the reasons, flips and deciding rule as structured objects (numbers and ids, no sentences).
"""
