"""The safety app's actions and scopes, registered with the one engine (xiji_afterschool/permissions.py) as
`register(app="safety", actions={...}, scopes={...}, action_scopes={...}, menu=[...])`. Nothing yet: until it
registers, every safety action is unknown and every safety row is out of everyone's scope."""
