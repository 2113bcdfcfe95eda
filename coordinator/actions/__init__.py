"""Actions of the plan: the action list and its exports, an action page with its milestones, monthly progress
reports with their evidence, and the computed status."""
