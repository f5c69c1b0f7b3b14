"""A complete, valid UMKM registration as the browser would post it."""
from __future__ import annotations

from tests.factories import TEST_PASSWORD


def registration_data(**overrides) -> dict:
    data = {
        "email": "umkm.baru@contoh.id",
        "password": TEST_PASSWORD,
        "confirm": TEST_PASSWORD,
        "name": "Keripik Maju Jaya",
        "description": "Keripik rumahan.",
        "owner_name": "Siti Aminah",
        "nik": "3216094506900012",
        "nib": "1234567890123",
        "npwp": "01.234.567.8-901.234",
        "address": "Jl. Kenanga No. 5 RT 02/03",
        "kecamatan": "Cikarang Utara",
        "kelurahan": "Karangasih",
        "outside_area": "",
        "phone": "0812-3456-7890",
        "bank_name": "Bank BJB",
        "bank_account_number": "0123456789",
        "bank_account_name": "Siti Aminah",
        "offers_pickup": "y",
        "offers_delivery": "y",
        "delivery_fee": "10.000",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}
