"""The global search: search spaces, objectives, the Optuna study and its workers, Pareto fronts."""
