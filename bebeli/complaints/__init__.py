"""Complaints (komplain) about a delivered seller order, and their resolution.

    models     Complaint (one per seller order), its photos
    services   open → the seller answers (replacement, partial or full refund, contest) → the
               buyer accepts or escalates → the Dinas decides; deadlines (`enforce_deadlines`)
    queries    what each role may list (`complaints_for_buyer`, `…_for_seller`, `…_for_admin`)
    views      the buyer's, the seller's (/toko/komplain) and the administrators' pages

An open complaint holds the order: its auto-completion (the lifecycle asks `held_seller_orders`
through the hook connected in `bebeli.wiring`) and its shop's payout of that order (a
settlement hold, released when the complaint is resolved). Money goes back through the
lifecycle's refund path, which writes the settlement entry once.
"""
from flask import Blueprint

bp = Blueprint("complaints", __name__)
