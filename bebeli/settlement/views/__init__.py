"""Settlement pages: the seller's income (seller), payout batches (admin), and the monthly
reconciliation (reconciliation)."""
from bebeli.settlement.views import admin, reconciliation, seller  # noqa: F401  (each attaches its routes to bp)
