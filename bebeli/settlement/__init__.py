"""Settlement: what each shop is owed, as an append-only ledger, and the payouts that send it.

    models     LedgerEntry (never edited), ShopBalance (the running sum), PayoutBatch, Payout
    ledger     `post` (one entry, once, by its key) and the entries the order lifecycle causes:
               a completed sale with its fee, refunds, agency income settled outside
    payouts    batches of available balances to verified accounts (scheduled: `flask payouts
               create`; or one shop now), transfers marked paid or returned
    banks      clearing codes from the shops' bank names, the bank file (CSV) and PDF summary
"""
from flask import Blueprint

bp = Blueprint("settlement", __name__)
