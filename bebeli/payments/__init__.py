"""Payments: the gateway (Stripe, or the simulation; the only module importing stripe), its
Payment rows, money movements and webhook receipts. It knows nothing of orders: the order
lifecycle (bebeli.lifecycle) calls it."""
