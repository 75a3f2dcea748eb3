// Reconciliation: queries each replica's terms and positions, plans with a pure planner what to
// truncate, replay or resync, and executes the plan. Filled by the reconciliation issue.
