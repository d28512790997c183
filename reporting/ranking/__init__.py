"""The ranking of the counties: ``score`` (the pure calculation), ``services`` (targets, rules, publishing the
bulletin), ``forms`` (the rule and weights form) and ``demo`` (the demo's targets, weights and bulletin)."""
