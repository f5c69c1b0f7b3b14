"""The procurement pages. Importing the three modules attaches their routes to the blueprint."""
from bebeli.procurement.views import open_data, purchases, setup  # noqa: F401
