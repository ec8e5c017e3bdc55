"""Pure rules and arithmetic of funding (none apart yet: the pay division stays in services/pay.py)."""
