"""The plan: its header, pillars, programs, actions and milestones as coordinators write them."""
